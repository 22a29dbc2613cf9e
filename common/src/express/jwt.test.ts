import { randomUUID } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import pino from 'pino';
import request from 'supertest';
import { createCookieKeys, createTestKeys } from '../testing/auth';
import { createTokenVerifier, signUserToken } from './jwt';
import { defineRoute } from './route';
import { createServiceApp } from './service-app';
import { RevokedSessions } from './session-revocations';

const keys = createTestKeys();
const user = { id: randomUUID(), email: 'buyer@example.test' };

/** Counts the signature checks jsonwebtoken makes (the real ones: the spy passes every call on). */
function countSignatureChecks() {
  return jest.spyOn(jsonwebtoken, 'verify');
}

afterEach(() => jest.restoreAllMocks());

describe('createTokenVerifier', () => {
  it('checks the signature of a token once and answers it from memory after that', () => {
    const verify = createTokenVerifier(keys.verify);
    const token = signUserToken(user, keys.sign);
    const checks = countSignatureChecks();

    const first = verify(token);
    const second = verify(token);

    expect(first?.user).toEqual(user);
    expect(second).toEqual(first);
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('hands each caller its own copy, so a request changing it changes nothing remembered', () => {
    const verify = createTokenVerifier(keys.verify);
    const token = signUserToken(user, keys.sign);
    const first = verify(token);
    if (!first) throw new Error('the token did not verify');
    first.user.email = 'changed@example.test';
    first.session.expiresAt.setTime(0);

    expect(verify(token)?.user.email).toBe(user.email);
    expect(verify(token)?.session.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses a remembered token once it has expired', async () => {
    const shortLived = { ...keys.sign, ttlSeconds: 1 };
    const verify = createTokenVerifier(keys.verify);
    const token = signUserToken(user, shortLived);
    expect(verify(token)?.user).toEqual(user);

    await new Promise((resolve) => setTimeout(resolve, 1100));

    expect(verify(token)).toBeNull();
  });

  it('forgets a token at its expiry by its own clock, and checks it afresh', () => {
    let now = Date.now();
    const verify = createTokenVerifier(keys.verify, { now: () => now });
    const token = signUserToken(user, keys.sign);
    const checks = countSignatureChecks();
    const verified = verify(token);
    if (!verified) throw new Error('the token did not verify');

    now = verified.session.expiresAt.getTime();
    verify(token);

    expect(checks).toHaveBeenCalledTimes(2);
  });

  it('keeps at most maxEntries tokens, forgetting the least recently used first', () => {
    const verify = createTokenVerifier(keys.verify, { maxEntries: 2 });
    const [a, b, c] = [1, 2, 3].map(() => signUserToken(user, keys.sign, randomUUID())) as [
      string,
      string,
      string,
    ];
    verify(a);
    verify(b);
    verify(a); // a is now more recent than b
    const checks = countSignatureChecks();

    verify(c); // b is forgotten
    verify(a);
    expect(checks).toHaveBeenCalledTimes(1);
    verify(b);
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it('never remembers a token that failed, nor answers an altered one from memory', () => {
    const verify = createTokenVerifier(keys.verify);
    const token = signUserToken(user, keys.sign);
    const forged = signUserToken(user, createTestKeys().sign);
    expect(verify(token)).not.toBeNull();

    expect(verify(forged)).toBeNull();
    expect(verify(forged)).toBeNull();
    expect(verify(`${token.slice(0, -2)}AA`)).toBeNull();
    expect(verify(token)?.user).toEqual(user);
  });
});

describe('currentUser with remembered tokens', () => {
  const me = defineRoute({
    method: 'get',
    path: '/api/test/me',
    summary: 'me',
    auth: 'required',
    responses: { 200: { description: 'me' } },
    handler: (req, res) => res.json({ id: req.currentUser.id, sid: req.currentSession?.id }),
  });

  function appWith(revocations: RevokedSessions) {
    return createServiceApp({
      service: 'test',
      logger: pino({ level: 'silent' }),
      auth: keys.verify,
      session: { keys: createCookieKeys(), secure: false, maxAgeMs: 60_000 },
      revocations,
      routes: [me],
      docsPath: '/api/test/docs',
      docsTitle: 'test',
      readiness: {},
    }).app;
  }

  it('refuses a token it verified before once its session is revoked', async () => {
    const revoked = new RevokedSessions();
    const app = appWith(revoked);
    const sessionId = randomUUID();
    const authorization = `Bearer ${signUserToken(user, keys.sign, sessionId)}`;
    await request(app).get('/api/test/me').set('authorization', authorization).expect(200);
    const checks = countSignatureChecks();
    await request(app).get('/api/test/me').set('authorization', authorization).expect(200);
    expect(checks).not.toHaveBeenCalled();

    revoked.revoke([sessionId], new Date(Date.now() + 60_000));

    const refused = await request(app).get('/api/test/me').set('authorization', authorization).expect(401);
    expect(refused.body.code).toBe('NOT_AUTHENTICATED');
  });

  it('uses the Bearer token and not the session cookie when a request carries both', async () => {
    const app = appWith(new RevokedSessions());
    const other = { id: randomUUID(), email: 'other@example.test' };
    const agent = request.agent(app);
    const bearerSession = randomUUID();
    const res = await agent
      .get('/api/test/me')
      .set('authorization', `Bearer ${signUserToken(user, keys.sign, bearerSession)}`)
      .set(
        'cookie',
        `glotixz=${Buffer.from(JSON.stringify({ jwt: signUserToken(other, keys.sign) })).toString('base64')}`,
      )
      .expect(200);
    expect(res.body).toEqual({ id: user.id, sid: bearerSession });
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
