import jwt from 'jsonwebtoken';
import request from 'supertest';
import { useHarness } from '@glotixz/common/testing';
import { startAuthHarness } from './auth-harness';

const h = useHarness(startAuthHarness);

const password = 'correct horse battery';
let counter = 0;
const freshEmail = () => `session${++counter}-${Date.now()}@example.com`;

function sidOf(token: string): string {
  return (jwt.decode(token) as { sid: string }).sid;
}

/** The session cookie pair a response set, as a Cookie header value. */
function cookieOf(res: request.Response): string {
  const raw = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  return raw.map((c) => c.split(';')[0]).join('; ');
}

async function currentUser(auth: { bearer?: string; cookie?: string }) {
  const req = request(h.app).get('/api/users/currentuser');
  if (auth.bearer) req.set('authorization', `Bearer ${auth.bearer}`);
  if (auth.cookie) req.set('cookie', auth.cookie);
  return (await req.expect(200)).body.currentUser as { id: string } | null;
}

async function revokedEvents(): Promise<{ userId: string; sessionIds: string[]; expiresAt: string }[]> {
  const { rows } = await h.pool.query<{
    envelope: { data: { userId: string; sessionIds: string[]; expiresAt: string } };
  }>(`select envelope from outbox where subject = 'session.revoked' order by created_at`);
  return rows.map((row) => row.envelope.data);
}

describe('sign-out', () => {
  it('revokes the session: its cookie and its Bearer token are refused afterwards, other sessions live on', async () => {
    const email = freshEmail();
    const signup = await request(h.app).post('/api/users/signup').send({ email, password }).expect(201);
    const cookie = cookieOf(signup);
    const token = signup.body.token as string;
    const other = await request(h.app).post('/api/users/signin').send({ email, password }).expect(200);
    expect(await currentUser({ cookie })).toMatchObject({ id: signup.body.id });

    const out = await request(h.app).post('/api/users/signout').set('cookie', cookie).expect(204);
    expect(out.headers['clear-site-data']).toBe('"cookies", "storage"');

    expect(await currentUser({ cookie })).toBeNull();
    expect(await currentUser({ bearer: token })).toBeNull();
    const refused = await request(h.app)
      .post('/api/users/signout-all')
      .set('authorization', `Bearer ${token}`)
      .expect(401);
    expect(refused.body.code).toBe('NOT_AUTHENTICATED');
    expect(await currentUser({ bearer: other.body.token as string })).toMatchObject({ id: signup.body.id });

    const events = (await revokedEvents()).filter((e) => e.userId === signup.body.id);
    expect(events).toEqual([
      { userId: signup.body.id, sessionIds: [sidOf(token)], expiresAt: expect.any(String) },
    ]);
    expect(new Date(events[0]!.expiresAt).getTime()).toBeGreaterThan(Date.now());
  });

  it('revokes a Bearer session the same way, and publishes one event however often it is repeated', async () => {
    const signup = await request(h.app)
      .post('/api/users/signup')
      .send({ email: freshEmail(), password })
      .expect(201);
    const token = signup.body.token as string;
    await request(h.app).post('/api/users/signout').set('authorization', `Bearer ${token}`).expect(204);
    await request(h.app).post('/api/users/signout').set('authorization', `Bearer ${token}`).expect(204);
    expect(await currentUser({ bearer: token })).toBeNull();
    expect((await revokedEvents()).filter((e) => e.userId === signup.body.id)).toHaveLength(1);
  });

  it('refuses cross-origin form, text and multipart sign-out posts with the cookie (403 CROSS_ORIGIN_REQUEST), and the session lives on', async () => {
    const signup = await request(h.app)
      .post('/api/users/signup')
      .send({ email: freshEmail(), password })
      .expect(201);
    const cookie = cookieOf(signup);
    const post = () => request(h.app).post('/api/users/signout').set('cookie', cookie);
    const attempts = [
      post().set('sec-fetch-site', 'cross-site').type('form').send('x=1'),
      post().set('sec-fetch-site', 'same-site').set('content-type', 'text/plain').send('x'),
      post().set('origin', 'https://evil.example').field('x', '1'),
    ];
    for (const attempt of attempts) {
      const res = await attempt.expect(403);
      expect(res.body.code).toBe('CROSS_ORIGIN_REQUEST');
    }
    expect(await currentUser({ cookie })).toMatchObject({ id: signup.body.id });
    await request(h.app)
      .post('/api/users/signout')
      .set('cookie', cookie)
      .set('sec-fetch-site', 'same-origin')
      .expect(204);
    expect(await currentUser({ cookie })).toBeNull();
  });
});

describe('sign out everywhere', () => {
  it('revokes every session of the user and no one else’s', async () => {
    const email = freshEmail();
    const signup = await request(h.app).post('/api/users/signup').send({ email, password }).expect(201);
    const second = await request(h.app).post('/api/users/signin').send({ email, password }).expect(200);
    const bystander = await request(h.app)
      .post('/api/users/signup')
      .send({ email: freshEmail(), password })
      .expect(201);

    const res = await request(h.app)
      .post('/api/users/signout-all')
      .set('cookie', cookieOf(second))
      .expect(200);
    expect(res.body).toEqual({ revokedSessions: 2 });
    expect(res.headers['clear-site-data']).toBe('"cookies", "storage"');

    expect(await currentUser({ bearer: signup.body.token as string })).toBeNull();
    expect(await currentUser({ bearer: second.body.token as string })).toBeNull();
    expect(await currentUser({ bearer: bystander.body.token as string })).toMatchObject({
      id: bystander.body.id,
    });
    const events = (await revokedEvents()).filter((e) => e.userId === signup.body.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.sessionIds.sort()).toEqual(
      [sidOf(signup.body.token as string), sidOf(second.body.token as string)].sort(),
    );
  });

  it('answers 401 without a session', async () => {
    const res = await request(h.app).post('/api/users/signout-all').expect(401);
    expect(res.body.code).toBe('NOT_AUTHENTICATED');
  });
});
