import { randomUUID } from 'node:crypto';
import pino from 'pino';
import request from 'supertest';
import { z } from 'zod';
import { createServiceApp, defineRoute, signUserToken, startSession } from '../src/express';
import { createCookieKeys, createTestKeys } from '../src/testing';

const keys = createTestKeys();
const user = { id: randomUUID(), email: 'csrf@example.test' };
const token = signUserToken(user, keys.sign);

/** An app with the shared middleware: a sign-in that sets the cookie, and cookie-authenticated writes. */
function buildApp() {
  return createServiceApp({
    service: 'test',
    logger: pino({ level: 'silent' }),
    auth: keys.verify,
    session: { keys: createCookieKeys(), secure: false, maxAgeMs: 60_000 },
    routes: [
      defineRoute({
        method: 'get',
        path: '/api/test/signin',
        summary: 'sets the session cookie',
        responses: { 204: { description: 'signed in' } },
        handler: (req, res) => {
          startSession(req, token);
          res.status(204).end();
        },
      }),
      defineRoute({
        method: 'post',
        path: '/api/test/orders/:id/cancel',
        summary: 'a write without a body',
        auth: 'required',
        params: z.object({ id: z.string() }),
        responses: { 200: { description: 'done' } },
        handler: (req, res) => res.json({ by: req.currentUser?.id }),
      }),
      defineRoute({
        method: 'delete',
        path: '/api/test/orders/:id',
        summary: 'a delete',
        auth: 'required',
        params: z.object({ id: z.string() }),
        responses: { 200: { description: 'done' } },
        handler: (req, res) => res.json({ by: req.currentUser?.id }),
      }),
    ],
    docsPath: '/api/test/docs',
    docsTitle: 'test',
    readiness: {},
  }).app;
}

async function signedInAgent() {
  const agent = request.agent(buildApp());
  await agent.get('/api/test/signin').expect(204);
  return agent;
}

describe('cross-origin requests with the session cookie', () => {
  it('serves a same-origin cookie POST (Sec-Fetch-Site: same-origin, and a matching Origin)', async () => {
    const agent = await signedInAgent();
    const res = await agent
      .post('/api/test/orders/1/cancel')
      .set('sec-fetch-site', 'same-origin')
      .expect(200);
    expect(res.body).toEqual({ by: user.id });
    await agent
      .post('/api/test/orders/1/cancel')
      .set('host', 'shop.example.test')
      .set('origin', 'http://shop.example.test')
      .expect(200);
    // Typed into the address bar, or a client that is no browser: no page sent it.
    await agent.post('/api/test/orders/1/cancel').set('sec-fetch-site', 'none').expect(200);
    await agent.post('/api/test/orders/1/cancel').expect(200);
  });

  it.each([
    ['a cross-site form post', { 'sec-fetch-site': 'cross-site' }, 'form'],
    ['a same-site text/plain post from a sibling origin', { 'sec-fetch-site': 'same-site' }, 'text'],
    ['a multipart post from another Origin', { origin: 'http://evil.example.test' }, 'multipart'],
    ['a post from an opaque Origin', { origin: 'null' }, 'form'],
  ] as const)('refuses %s with 403 CROSS_ORIGIN_REQUEST', async (_name, headers, body) => {
    const agent = await signedInAgent();
    let req = agent.post('/api/test/orders/1/cancel').set('host', 'shop.example.test').set(headers);
    if (body === 'form') req = req.type('form').send('reason=x');
    else if (body === 'text') req = req.set('content-type', 'text/plain').send('{"x":1}');
    else req = req.field('reason', 'x');
    const res = await req.expect(403);
    expect(res.body.code).toBe('CROSS_ORIGIN_REQUEST');
  });

  it('refuses a cross-site DELETE with the cookie', async () => {
    const agent = await signedInAgent();
    const res = await agent.delete('/api/test/orders/1').set('sec-fetch-site', 'cross-site').expect(403);
    expect(res.body.code).toBe('CROSS_ORIGIN_REQUEST');
  });

  it('compares Origin with the forwarded host the gateway names (trust proxy)', async () => {
    const agent = await signedInAgent();
    await agent
      .post('/api/test/orders/1/cancel')
      .set('host', '127.0.0.1:3003')
      .set('x-forwarded-host', 'localhost:8080')
      .set('x-forwarded-proto', 'http')
      .set('origin', 'http://localhost:8080')
      .expect(200);
    await agent
      .post('/api/test/orders/1/cancel')
      .set('host', '127.0.0.1:3003')
      .set('x-forwarded-host', 'localhost:8080')
      .set('origin', 'http://127.0.0.1:3003')
      .expect(403);
  });

  it('exempts Bearer requests, which carry their credential explicitly', async () => {
    const res = await request(buildApp())
      .post('/api/test/orders/1/cancel')
      .set('authorization', `Bearer ${token}`)
      .set('sec-fetch-site', 'cross-site')
      .expect(200);
    expect(res.body).toEqual({ by: user.id });
  });

  it('lets safe methods through cross-site (they change nothing)', async () => {
    const agent = await signedInAgent();
    await agent.get('/api/test/signin').set('sec-fetch-site', 'cross-site').expect(204);
  });
});
