import { expectValidationFailure, itRejectsUnparsableBodies, useHarness } from '@glotixz/common/testing';
import request from 'supertest';
import { parseHash } from '../src/users/password';
import { startAuthHarness } from './auth-harness';

const h = useHarness(startAuthHarness);

const password = 'correct horse battery';
let counter = 0;
const freshEmail = () => `buyer${++counter}-${Date.now()}@example.com`;

/** The `user.created` events waiting in auth's outbox for `email`. */
async function userCreatedEvents(email: string): Promise<{ id: string; email: string; createdAt: string }[]> {
  const { rows } = await h.pool.query<{
    envelope: { data: { id: string; email: string; createdAt: string } };
  }>(`select envelope from outbox where subject = 'user.created' and envelope->'data'->>'email' = $1`, [
    email,
  ]);
  return rows.map((row) => row.envelope.data);
}

function cookieHeader(res: request.Response): string[] {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  return raw ?? [];
}

describe('POST /api/users/signup', () => {
  it('creates the account, answers the user with a token and sets an HttpOnly SameSite session cookie', async () => {
    const email = freshEmail();
    const res = await request(h.app).post('/api/users/signup').send({ email, password }).expect(201);
    expect(res.body).toEqual({ id: expect.any(String), email, token: expect.any(String) });
    const cookies = cookieHeader(res);
    expect(cookies.some((c) => /^glotixz=/.test(c) && /httponly/i.test(c) && /samesite=lax/i.test(c))).toBe(
      true,
    );
    expect(cookies.some((c) => /^glotixz\.sig=/.test(c))).toBe(true);

    const row = await h.pool.query('select email, password_hash from users where id = $1', [res.body.id]);
    expect(row.rows[0].email).toBe(email);
    const hash = parseHash(row.rows[0].password_hash);
    expect(hash).toMatchObject({ logN: 17, r: 8, p: 1 });
    expect(hash?.salt.length).toBe(16);
    expect(row.rows[0].password_hash).not.toContain(password);

    // The account is announced by the transaction that created it, through the outbox (I1).
    const created = await h.pool.query('select created_at from users where id = $1', [res.body.id]);
    expect(await userCreatedEvents(email)).toEqual([
      { id: res.body.id, email, createdAt: (created.rows[0].created_at as Date).toISOString() },
    ]);
  });

  it('normalises the email so the same address in other case is a duplicate', async () => {
    const email = freshEmail();
    const res = await request(h.app)
      .post('/api/users/signup')
      .send({ email: `  ${email.toUpperCase()}  `, password })
      .expect(201);
    expect(res.body.email).toBe(email);
    const dup = await request(h.app).post('/api/users/signup').send({ email, password }).expect(409);
    expect(dup.body).toEqual({ code: 'EMAIL_IN_USE', message: expect.any(String) });
    expect(await userCreatedEvents(email)).toHaveLength(1);
  });

  it('lets exactly one of 20 concurrent sign-ups for one email succeed', async () => {
    const email = freshEmail();
    const before = await h.countUsers();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => request(h.app).post('/api/users/signup').send({ email, password })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(await h.countUsers()).toBe(before + 1);
    expect(await userCreatedEvents(email)).toHaveLength(1);
  });

  describe('rejects bad input with 4xx and writes nothing', () => {
    const cases: [string, unknown, string][] = [
      ['an empty body', {}, 'body.email'],
      ['a missing password', { email: 'a@example.com' }, 'body.password'],
      ['a missing email', { password }, 'body.email'],
      ['a number as email', { email: 42, password }, 'body.email'],
      ['an array as password', { email: 'a@example.com', password: ['x'] }, 'body.password'],
      ['an invalid email', { email: 'not-an-email', password }, 'body.email'],
      ['a password of 7 characters', { email: 'a@example.com', password: '1234567' }, 'body.password'],
      [
        'a password of 129 characters',
        { email: 'a@example.com', password: 'x'.repeat(129) },
        'body.password',
      ],
      ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.com`, password }, 'body.email'],
      ['an unknown field', { email: 'a@example.com', password, admin: true }, 'body'],
      ['a JSON array', [], 'body'],
    ];
    it.each(cases)('%s → 400 VALIDATION_FAILED naming the field', async (_name, body, path) => {
      const before = await h.countUsers();
      const res = await request(h.app)
        .post('/api/users/signup')
        .send(body as object)
        .expect(400);
      expectValidationFailure(res.body, path);
      expect(await h.countUsers()).toBe(before);
    });

    itRejectsUnparsableBodies({
      app: () => h.app,
      path: '/api/users/signup',
      truncatedJson: '{"email": "a@example.com", "password": ',
      form: { email: 'a@example.com', password },
    });

    it('an oversized body → 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await request(h.app)
        .post('/api/users/signup')
        .send({ email: 'a@example.com', password, padding: 'x'.repeat(200 * 1024) })
        .expect(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });
});

describe('POST /api/users/signin', () => {
  const email = `signin-${Date.now()}@example.com`;
  beforeAll(async () => {
    await request(h.app).post('/api/users/signup').send({ email, password }).expect(201);
  });

  it('signs in with the right password, in any email case', async () => {
    const res = await request(h.app)
      .post('/api/users/signin')
      .send({ email: email.toUpperCase(), password })
      .expect(200);
    expect(res.body).toEqual({ id: expect.any(String), email, token: expect.any(String) });
    expect(cookieHeader(res).some((c) => c.startsWith('glotixz='))).toBe(true);
  });

  it('answers one generic 401 for a wrong password and for an unknown email', async () => {
    const wrong = await request(h.app)
      .post('/api/users/signin')
      .send({ email, password: 'wrong password' })
      .expect(401);
    const unknown = await request(h.app)
      .post('/api/users/signin')
      .send({ email: 'nobody@example.com', password })
      .expect(401);
    expect(wrong.body).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Email or password is incorrect' });
    expect(unknown.body).toEqual(wrong.body);
    expect(cookieHeader(wrong).some((c) => c.startsWith('glotixz='))).toBe(false);
  });

  it('validates the body', async () => {
    const res = await request(h.app).post('/api/users/signin').send({ email: 'x' }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('sessions', () => {
  it('round-trips signup → currentuser → signout → currentuser with the cookie', async () => {
    const agent = request.agent(h.app);
    const email = freshEmail();
    const signup = await agent.post('/api/users/signup').send({ email, password }).expect(201);
    const me = await agent.get('/api/users/currentuser').expect(200);
    expect(me.body).toEqual({ currentUser: { id: signup.body.id, email } });

    const out = await agent.post('/api/users/signout').expect(204);
    expect(cookieHeader(out).some((c) => /^glotixz=;/.test(c) && /expires=Thu, 01 Jan 1970/i.test(c))).toBe(
      true,
    );
    const after = await agent.get('/api/users/currentuser').expect(200);
    expect(after.body).toEqual({ currentUser: null });
  });

  it('answers currentUser null when signed out', async () => {
    const res = await request(h.app).get('/api/users/currentuser').expect(200);
    expect(res.body).toEqual({ currentUser: null });
  });

  it('accepts the token as a Bearer header', async () => {
    const email = freshEmail();
    const signup = await request(h.app).post('/api/users/signup').send({ email, password }).expect(201);
    const me = await request(h.app)
      .get('/api/users/currentuser')
      .set('authorization', `Bearer ${signup.body.token}`)
      .expect(200);
    expect(me.body.currentUser).toEqual({ id: signup.body.id, email });
  });

  it('ignores a session cookie whose signature was tampered with', async () => {
    const signup = await request(h.app)
      .post('/api/users/signup')
      .send({ email: freshEmail(), password })
      .expect(201);
    const cookies = cookieHeader(signup).map((c) => c.split(';')[0] ?? '');
    const session = cookies.find((c) => c.startsWith('glotixz='))!;
    const forged = Buffer.from(JSON.stringify({ jwt: 'x' })).toString('base64');
    const sig = cookies.find((c) => c.startsWith('glotixz.sig='))!;
    const res = await request(h.app)
      .get('/api/users/currentuser')
      .set('cookie', [`glotixz=${forged}`, sig].join('; '))
      .expect(200);
    expect(res.body).toEqual({ currentUser: null });
    expect(session).not.toBe(`glotixz=${forged}`);
  });

  it('marks the cookie Secure with the __Host- prefix outside development', async () => {
    const { app } = h.build({ NODE_ENV: 'production' });
    const res = await request(app)
      .post('/api/users/signup')
      .set('x-forwarded-proto', 'https')
      .send({ email: freshEmail(), password })
      .expect(201);
    const cookie = cookieHeader(res).find((c) => c.startsWith('__Host-glotixz='));
    expect(cookie).toMatch(/; secure/i);
    expect(cookie).toMatch(/; path=\//i);
    expect(cookie).toMatch(/; httponly/i);
    expect(cookie).not.toMatch(/domain=/i);
  });
});

describe('sign-in rate limit', () => {
  it('answers 429 with Retry-After after too many failures, not counting successes', async () => {
    const { app } = h.build({ SIGNIN_MAX_FAILURES: '3', SIGNIN_WINDOW_SECONDS: '60' });
    const email = freshEmail();
    await request(app).post('/api/users/signup').send({ email, password }).expect(201);
    await request(app).post('/api/users/signin').send({ email, password }).expect(200);
    for (let i = 0; i < 3; i++) {
      await request(app).post('/api/users/signin').send({ email, password: 'wrong password' }).expect(401);
    }
    const limited = await request(app).post('/api/users/signin').send({ email, password }).expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('counts failures across replicas: they share the database, not a memory', async () => {
    const env = { SIGNIN_MAX_FAILURES: '4', SIGNIN_WINDOW_SECONDS: '60' };
    const replicas = [h.build(env).app, h.build(env).app] as const;
    const email = freshEmail();
    await request(replicas[0]).post('/api/users/signup').send({ email, password }).expect(201);
    for (let i = 0; i < 4; i++) {
      await request(replicas[i % 2 === 0 ? 0 : 1])
        .post('/api/users/signin')
        .send({ email, password: 'wrong password' })
        .expect(401);
    }
    for (const replica of replicas) {
      const limited = await request(replica).post('/api/users/signin').send({ email, password }).expect(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
    }
    // Only hashes are stored, never the address or the email.
    const { rows } = await h.pool.query<{ key: string }>('select key from signin_attempts');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.key.includes(email) || r.key.includes('127.0.0.1'))).toBe(false);
  });
});
