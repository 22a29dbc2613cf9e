import type { Envelope } from '@glotixz/common/events';
import {
  createServiceTestbed,
  expectValidationFailure,
  itRejectsUnparsableBodies,
  useHarness,
  waitFor,
} from '@glotixz/common/testing';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import { migrationsFolder } from '../src/db/migrate';
import * as schema from '../src/db/schema';
import { hashResetToken } from '../src/password-resets/password-resets.service';

type ResetEvent = Envelope<'user.password-reset-requested'>;

/** An auth app with its outbox relay publishing to a test bus, so events can be read off the stream. */
async function startResetHarness() {
  const testbed = await createServiceTestbed({ migrationsFolder, schema, poolSize: 20 });
  const messaging = await testbed.startMessaging({ service: 'auth', consumers: [], outboxPollMs: 100 });
  let builds = 0;
  const build = (overrides: Record<string, string> = {}): Express => {
    const config = configSchema.parse({
      ...testbed.env,
      JWT_PRIVATE_KEY: testbed.keys.privateKey,
      SIGNUP_MAX_PER_ADDRESS: '1000',
      PASSWORD_HASH_QUEUE_MAX: '100',
      PASSWORD_HASH_CONCURRENCY: '4',
      // Each test asks from its own address; the limits have a test of their own.
      PASSWORD_RESET_MAX_PER_ADDRESS: '1000',
      ...overrides,
    });
    const deps = testbed.appDeps(messaging);
    // Apps past the first get registries of their own: the metrics are registered once per registry.
    const registry = builds++ === 0 ? deps.registry : undefined;
    return createApp({ config, ...deps, registry }).app;
  };
  return { ...testbed, build, app: build() };
}

const h = useHarness(startResetHarness);

const password = 'correct horse battery';
const newPassword = 'new staple battery horse';
let counter = 0;
const freshEmail = () => `reset${++counter}-${Date.now()}@example.com`;

function cookieOf(res: request.Response): string {
  const raw = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  return raw.map((c) => c.split(';')[0]).join('; ');
}

async function signUp(email: string) {
  const res = await request(h.app).post('/api/users/signup').send({ email, password }).expect(201);
  return { id: res.body.id as string, token: res.body.token as string, cookie: cookieOf(res) };
}

function askReset(email: string, app: Express = h.app) {
  return request(app).post('/api/users/password-reset').send({ email });
}

function confirm(token: string, newOne = newPassword, app: Express = h.app) {
  return request(app).post('/api/users/password-reset/confirm').send({ token, password: newOne });
}

/** Waits until `count` reset events for `email` are on the USERS stream; answers them, oldest first. */
async function resetEvents(email: string, count = 1): Promise<ResetEvent[]> {
  return waitFor(
    async () => {
      const events = (await h.events('user.password-reset-requested')).filter((e) => e.data.email === email);
      return events.length >= count ? events : null;
    },
    10_000,
    `${count} user.password-reset-requested for ${email}`,
  );
}

async function latestToken(email: string, count = 1): Promise<string> {
  const events = await resetEvents(email, count);
  return events[events.length - 1]!.data.token;
}

async function resetRows(userId: string) {
  const { rows } = await h.pool.query<{ token_hash: string; used_at: Date | null; expires_at: Date }>(
    'select token_hash, used_at, expires_at from password_resets where user_id = $1 order by created_at',
    [userId],
  );
  return rows;
}

async function currentUser(auth: { bearer?: string; cookie?: string }) {
  const req = request(h.app).get('/api/users/currentuser');
  if (auth.bearer) req.set('authorization', `Bearer ${auth.bearer}`);
  if (auth.cookie) req.set('cookie', auth.cookie);
  return (await req.expect(200)).body.currentUser as { id: string } | null;
}

describe('POST /api/users/password-reset', () => {
  it('answers 202 {} alike for a known and an unknown email; only the known one gets a token', async () => {
    const email = freshEmail();
    const user = await signUp(email);
    const unknown = freshEmail();

    const known = await askReset(email).expect(202);
    const missing = await askReset(unknown).expect(202);
    expect(known.body).toEqual({});
    expect(missing.body).toEqual(known.body);
    expect(missing.headers['content-type']).toBe(known.headers['content-type']);

    expect(await resetRows(user.id)).toHaveLength(1);
    await resetEvents(email);
    await h.outboxDrained();
    const events = await h.events('user.password-reset-requested');
    expect(events.filter((e) => e.data.email === unknown)).toEqual([]);
  });

  it('publishes user.password-reset-requested on the USERS stream with a 32-byte token whose SHA-256 is stored', async () => {
    const email = freshEmail();
    const user = await signUp(email);
    const before = Date.now();
    await askReset(`  ${email.toUpperCase()} `).expect(202);

    const [event] = await resetEvents(email);
    expect(event!.subject).toBe('user.password-reset-requested');
    expect(event!.data).toEqual({
      userId: user.id,
      email,
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
    });
    expect(Buffer.from(event!.data.token, 'base64url')).toHaveLength(32);
    const expiresAt = new Date(event!.data.expiresAt).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 1800 * 1000 - 5_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 1800 * 1000 + 5_000);

    const rows = await resetRows(user.id);
    expect(rows).toEqual([
      { token_hash: hashResetToken(event!.data.token), used_at: null, expires_at: new Date(expiresAt) },
    ]);
    // Only the hash is kept.
    const stored = await h.pool.query('select * from password_resets where user_id = $1', [user.id]);
    expect(JSON.stringify(stored.rows)).not.toContain(event!.data.token);
  });

  it('follows PASSWORD_RESET_TTL_SECONDS', async () => {
    const app = h.build({ PASSWORD_RESET_TTL_SECONDS: '60' });
    const email = freshEmail();
    await signUp(email);
    await askReset(email, app).expect(202);
    const [event] = await resetEvents(email);
    const left = new Date(event!.data.expiresAt).getTime() - Date.now();
    expect(left).toBeGreaterThan(50_000);
    expect(left).toBeLessThanOrEqual(60_000);
  });

  it('supersedes the older token: a second request leaves only the newest one working', async () => {
    const email = freshEmail();
    const user = await signUp(email);
    await askReset(email).expect(202);
    const first = await latestToken(email, 1);
    await askReset(email).expect(202);
    const second = await latestToken(email, 2);
    expect(second).not.toBe(first);

    const rows = await resetRows(user.id);
    expect(rows.map((row) => row.used_at === null)).toEqual([false, true]);

    const refused = await confirm(first).expect(400);
    expect(refused.body).toEqual({ code: 'INVALID_RESET_TOKEN', message: expect.any(String) });
    await confirm(second).expect(200);
  });

  it('leaves exactly one live token when two requests for one account race', async () => {
    const email = freshEmail();
    const user = await signUp(email);
    await Promise.all(Array.from({ length: 5 }, () => askReset(email).expect(202)));
    const rows = await resetRows(user.id);
    expect(rows).toHaveLength(5);
    expect(rows.filter((row) => row.used_at === null)).toHaveLength(1);
  });

  it('answers 400 VALIDATION_FAILED for a missing or malformed email, writing nothing', async () => {
    const bodies: [unknown, string][] = [
      [{}, 'body.email'],
      [{ email: 'not-an-email' }, 'body.email'],
      [{ email: 42 }, 'body.email'],
      [{ email: `${'a'.repeat(250)}@example.com` }, 'body.email'],
    ];
    for (const [body, path] of bodies) {
      const res = await request(h.app)
        .post('/api/users/password-reset')
        .send(body as object)
        .expect(400);
      expectValidationFailure(res.body, path);
    }
    const extra = await request(h.app)
      .post('/api/users/password-reset')
      .send({ email: freshEmail(), admin: true })
      .expect(400);
    expect(extra.body.code).toBe('VALIDATION_FAILED');
  });

  itRejectsUnparsableBodies({
    app: () => h.app,
    path: '/api/users/password-reset',
    truncatedJson: '{"email": "a@exa',
    form: { email: 'a@example.com' },
  });
});

describe('POST /api/users/password-reset/confirm', () => {
  it('sets the new password once: the old one fails, the new one works, a second use is 400 INVALID_RESET_TOKEN', async () => {
    const email = freshEmail();
    const user = await signUp(email);
    await askReset(email).expect(202);
    const token = await latestToken(email);

    const res = await confirm(token).expect(200);
    expect(res.body).toEqual({});
    expect((await resetRows(user.id))[0]!.used_at).toBeInstanceOf(Date);

    const old = await request(h.app).post('/api/users/signin').send({ email, password }).expect(401);
    expect(old.body.code).toBe('INVALID_CREDENTIALS');
    await request(h.app).post('/api/users/signin').send({ email, password: newPassword }).expect(200);

    const again = await confirm(token, 'yet another password').expect(400);
    expect(again.body.code).toBe('INVALID_RESET_TOKEN');
    await request(h.app).post('/api/users/signin').send({ email, password: newPassword }).expect(200);
  });

  it('revokes every session of the account and publishes session.revoked; other accounts keep theirs', async () => {
    const email = freshEmail();
    const first = await signUp(email);
    const second = await request(h.app).post('/api/users/signin').send({ email, password }).expect(200);
    const bystander = await signUp(freshEmail());
    await askReset(email).expect(202);

    await confirm(await latestToken(email)).expect(200);

    expect(await currentUser({ cookie: first.cookie })).toBeNull();
    expect(await currentUser({ bearer: first.token })).toBeNull();
    expect(await currentUser({ bearer: second.body.token as string })).toBeNull();
    const refused = await request(h.app)
      .post('/api/users/signout-all')
      .set('cookie', first.cookie)
      .expect(401);
    expect(refused.body.code).toBe('NOT_AUTHENTICATED');
    expect(await currentUser({ bearer: bystander.token })).toMatchObject({ id: bystander.id });

    const revoked = await waitFor(
      async () => {
        const events = (await h.events('session.revoked')).filter((e) => e.data.userId === first.id);
        return events.length > 0 ? events : null;
      },
      10_000,
      'session.revoked',
    );
    expect(revoked.flatMap((e) => e.data.sessionIds)).toHaveLength(2);
  });

  it("clears the account's sign-in backoff: the owner signs in with the new password at once", async () => {
    const app = h.build({ SIGNIN_MAX_FAILURES: '100', SIGNIN_ACCOUNT_FREE_FAILURES: '1' });
    const email = freshEmail();
    await signUp(email);
    const signIn = (pw: string) =>
      request(app)
        .post('/api/users/signin')
        .set('x-forwarded-for', '203.0.113.60')
        .send({ email, password: pw });
    expect((await signIn('wrong password')).status).toBe(401);
    // As after a long run of guesses: locked for a while yet. This file's only backoff row is this account's.
    await h.pool.query(`update signin_backoff set locked_until = now() + interval '10 minutes'`);
    expect((await signIn(newPassword)).status).toBe(429);
    await askReset(email, app).expect(202);
    await confirm(await latestToken(email), newPassword, app).expect(200);
    expect((await signIn(newPassword)).status).toBe(200);
  });

  it('answers 400 INVALID_RESET_TOKEN for an expired token and keeps the old password', async () => {
    const email = freshEmail();
    const user = await signUp(email);
    await askReset(email).expect(202);
    const token = await latestToken(email);
    await h.pool.query(
      `update password_resets set expires_at = now() - interval '1 second' where user_id = $1`,
      [user.id],
    );
    const res = await confirm(token).expect(400);
    expect(res.body.code).toBe('INVALID_RESET_TOKEN');
    await request(h.app).post('/api/users/signin').send({ email, password }).expect(200);
    expect(await currentUser({ cookie: user.cookie })).toMatchObject({ id: user.id });
  });

  it('lets exactly one of two confirmations with one token through', async () => {
    const email = freshEmail();
    await signUp(email);
    await askReset(email).expect(202);
    const token = await latestToken(email);

    const results = await Promise.all([
      confirm(token, 'first new password'),
      confirm(token, 'second new password'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const loser = results.find((r) => r.status === 400)!;
    expect(loser.body.code).toBe('INVALID_RESET_TOKEN');
    const winner =
      results.findIndex((r) => r.status === 200) === 0 ? 'first new password' : 'second new password';
    await request(h.app).post('/api/users/signin').send({ email, password: winner }).expect(200);
  });

  it('answers 400 INVALID_RESET_TOKEN for an unknown token', async () => {
    for (const token of ['nope', 'A'.repeat(43), '../../etc/passwd', "' or 1=1 --"]) {
      const res = await confirm(token).expect(400);
      expect(res.body).toEqual({ code: 'INVALID_RESET_TOKEN', message: expect.any(String) });
    }
  });

  it('applies the sign-up password rules (400 VALIDATION_FAILED) and keeps the token for a valid try', async () => {
    const email = freshEmail();
    await signUp(email);
    await askReset(email).expect(202);
    const token = await latestToken(email);
    const bodies: [unknown, string][] = [
      [{ token, password: 'short' }, 'body.password'],
      [{ token, password: 'x'.repeat(129) }, 'body.password'],
      [{ token }, 'body.password'],
      [{ password: newPassword }, 'body.token'],
      [{ token: '', password: newPassword }, 'body.token'],
      [{ token: 'x'.repeat(257), password: newPassword }, 'body.token'],
      [{ token: 42, password: newPassword }, 'body.token'],
      [{ token: '\u0000', password: newPassword }, 'body.token'],
    ];
    for (const [body, path] of bodies) {
      const res = await request(h.app)
        .post('/api/users/password-reset/confirm')
        .send(body as object)
        .expect(400);
      expectValidationFailure(res.body, path);
    }
    await confirm(token).expect(200);
  });

  itRejectsUnparsableBodies({
    app: () => h.app,
    path: '/api/users/password-reset/confirm',
    truncatedJson: '{"token": "abc", "password": ',
    form: { token: 'abc', password },
  });
});

describe('password reset limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the requests allowed per email, from any address', async () => {
    const app = h.build({ PASSWORD_RESET_MAX_PER_EMAIL: '2', PASSWORD_RESET_WINDOW_SECONDS: '600' });
    const email = freshEmail();
    await signUp(email);
    for (const ip of ['198.51.100.1', '198.51.100.2']) {
      await request(app)
        .post('/api/users/password-reset')
        .set('x-forwarded-for', ip)
        .send({ email })
        .expect(202);
    }
    const limited = await request(app)
      .post('/api/users/password-reset')
      .set('x-forwarded-for', '198.51.100.3')
      .send({ email })
      .expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(600);
    // An unknown email is counted the same way, so the limit does not tell accounts apart.
    const unknown = freshEmail();
    await askReset(unknown, app).expect(202);
    await askReset(unknown, app).expect(202);
    await askReset(unknown, app).expect(429);
    // Another email is not affected.
    await askReset(freshEmail(), app).expect(202);
  });

  it('answers 429 past the requests allowed per address, not counting malformed ones', async () => {
    const app = h.build({ PASSWORD_RESET_MAX_PER_ADDRESS: '2' });
    const from = { 'x-forwarded-for': '198.51.100.40' };
    await request(app).post('/api/users/password-reset').set(from).send({ email: 'x' }).expect(400);
    await request(app).post('/api/users/password-reset').set(from).send({ email: freshEmail() }).expect(202);
    await request(app).post('/api/users/password-reset').set(from).send({ email: freshEmail() }).expect(202);
    const limited = await request(app)
      .post('/api/users/password-reset')
      .set(from)
      .send({ email: freshEmail() })
      .expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers 429 past the failed confirmations allowed per address', async () => {
    const app = h.build({ PASSWORD_RESET_MAX_PER_ADDRESS: '2' });
    const from = { 'x-forwarded-for': '198.51.100.50' };
    const post = (token: string) =>
      request(app).post('/api/users/password-reset/confirm').set(from).send({ token, password: newPassword });
    await post('wrong-1').expect(400);
    await post('wrong-2').expect(400);
    const limited = await post('wrong-3').expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
