import { randomUUID } from 'node:crypto';
import { signUserToken } from '@glotixz/common/express';
import { createTestKeys } from '@glotixz/common/testing';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { startAuthHarness, type AuthHarness } from './auth-harness';

let h: AuthHarness;
/** A real account and the id of a live session of it, so only the token's own flaw can fail it. */
let user: { id: string; email: string };
let sid: string;
beforeAll(async () => {
  h = await startAuthHarness();
  const email = `token-${randomUUID()}@example.com`;
  const res = await request(h.app)
    .post('/api/users/signup')
    .send({ email, password: 'long enough password' })
    .expect(201);
  user = { id: res.body.id as string, email };
  sid = (jwt.decode(res.body.token as string) as { sid: string }).sid;
});
afterAll(async () => {
  await h.close();
});

async function currentUserWith(token: string) {
  const res = await request(h.app)
    .get('/api/users/currentuser')
    .set('authorization', `Bearer ${token}`)
    .expect(200);
  return res.body.currentUser as unknown;
}

function unsigned(payload: object, header: object): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc(header)}.${enc(payload)}.`;
}

describe('token verification', () => {
  it('accepts a token signed with the auth key for a live session', async () => {
    expect(await currentUserWith(signUserToken(user, h.keys.sign, sid))).toEqual(user);
  });

  it('refuses a well-signed token whose session auth never issued', async () => {
    expect(await currentUserWith(signUserToken(user, h.keys.sign, randomUUID()))).toBeNull();
  });

  it('refuses a well-signed token without a session id', async () => {
    const token = jwt.sign({ email: user.email }, h.keys.privateKey, {
      algorithm: 'ES256',
      subject: user.id,
      issuer: h.keys.sign.issuer,
      audience: h.keys.sign.audience,
      expiresIn: 60,
    });
    expect(await currentUserWith(token)).toBeNull();
  });

  it('rejects a token signed by another key', async () => {
    const other = createTestKeys();
    expect(await currentUserWith(signUserToken(user, other.sign, sid))).toBeNull();
  });

  it('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.sign({ email: user.email, sid, iat: now - 120, exp: now - 60 }, h.keys.privateKey, {
      algorithm: 'ES256',
      subject: user.id,
      issuer: h.keys.sign.issuer,
      audience: h.keys.sign.audience,
    });
    expect(await currentUserWith(token)).toBeNull();
  });

  it('rejects alg: none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsigned(
      {
        sub: user.id,
        email: user.email,
        sid,
        iss: h.keys.sign.issuer,
        aud: h.keys.sign.audience,
        iat: now,
        exp: now + 600,
      },
      { alg: 'none', typ: 'JWT' },
    );
    expect(await currentUserWith(token)).toBeNull();
  });

  it('rejects an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({
        sub: user.id,
        email: user.email,
        sid,
        iss: h.keys.sign.issuer,
        aud: h.keys.sign.audience,
        iat: now,
        exp: now + 600,
      }),
    ).toString('base64url');
    const { createHmac } = await import('node:crypto');
    const sig = createHmac('sha256', h.keys.publicKey).update(`${header}.${payload}`).digest('base64url');
    expect(await currentUserWith(`${header}.${payload}.${sig}`)).toBeNull();
  });

  it('rejects a wrong issuer or audience', async () => {
    expect(
      await currentUserWith(signUserToken(user, { ...h.keys.sign, issuer: 'someone-else' }, sid)),
    ).toBeNull();
    expect(
      await currentUserWith(signUserToken(user, { ...h.keys.sign, audience: 'another-app' }, sid)),
    ).toBeNull();
  });

  it('rejects garbage and a token without a subject', async () => {
    expect(await currentUserWith('not.a.token')).toBeNull();
    const noSub = jwt.sign({ email: user.email, sid }, h.keys.privateKey, {
      algorithm: 'ES256',
      issuer: h.keys.sign.issuer,
      audience: h.keys.sign.audience,
      expiresIn: 60,
    });
    expect(await currentUserWith(noSub)).toBeNull();
  });

  it('issues tokens with exp, iss, aud and ES256', async () => {
    const res = await request(h.app)
      .post('/api/users/signup')
      .send({ email: `claims-${Date.now()}@example.com`, password: 'long enough password' })
      .expect(201);
    const decoded = jwt.decode(res.body.token, { complete: true });
    expect(decoded?.header.alg).toBe('ES256');
    expect(decoded?.payload).toMatchObject({
      sub: res.body.id,
      iss: 'glotixz-auth',
      aud: 'glotixz',
      sid: expect.any(String),
      exp: expect.any(Number),
    });
  });
});
