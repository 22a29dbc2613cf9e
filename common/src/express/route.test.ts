import pino from 'pino';
import request from 'supertest';
import { z } from 'zod';
import { AppError } from '../errors';
import { createCookieKeys, createTestKeys, createTestUser } from '../testing/auth';
import type { Response } from 'express';
import { defineRoute, type AuthedRequest } from './route';
import { createServiceApp } from './service-app';

const keys = createTestKeys();
const logged: string[] = [];
const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });

const routes = [
  defineRoute({
    method: 'get',
    path: '/api/things/:id',
    summary: 'A thing',
    params: z.object({ id: z.uuid() }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(10) }),
    responses: { 200: { description: 'ok' } },
    handler: (req, res) => {
      res.json({ id: req.params.id, limit: req.query.limit });
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/things',
    summary: 'Create a thing',
    auth: 'required',
    body: z.object({ name: z.string().min(1) }),
    responses: { 201: { description: 'created' } },
    errors: ['CONFLICT'],
    handler: async (req, res) => {
      await Promise.resolve();
      if (req.body.name === 'taken') throw new AppError('CONFLICT', 'Name taken', { name: req.body.name });
      if (req.body.name === 'boom') throw new Error('secret connection string postgres://u:p@db');
      res.status(201).json({ name: req.body.name, owner: req.currentUser.id });
    },
  }),
];

const { app, openapi } = createServiceApp({
  service: 'things',
  logger,
  auth: keys.verify,
  session: { keys: createCookieKeys(), secure: false, maxAgeMs: 60_000 },
  routes,
  docsPath: '/api/things/docs',
  docsTitle: 'Things',
  readiness: { never: () => Promise.reject(new Error('down')) },
});

describe('routes from the express kit', () => {
  const user = createTestUser(keys);

  it('validates params and coerces query values', async () => {
    const id = '0b8f7c1e-6a0e-4d3b-9a51-1d2a3b4c5d6e';
    await request(app).get(`/api/things/${id}?limit=5`).expect(200, { id, limit: 5 });
    await request(app).get(`/api/things/${id}`).expect(200, { id, limit: 10 });
  });

  it('reports every invalid part at once with its path', async () => {
    const res = await request(app).get('/api/things/not-a-uuid?limit=500').expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'params.id',
      'query.limit',
    ]);
  });

  it('answers 401 NOT_AUTHENTICATED without a token, before validating the body', async () => {
    const res = await request(app).post('/api/things').send({}).expect(401);
    expect(res.body).toEqual({ code: 'NOT_AUTHENTICATED', message: expect.any(String) });
  });

  it('passes the current user from a Bearer token', async () => {
    const res = await request(app)
      .post('/api/things')
      .set('authorization', user.authorization)
      .send({ name: 'a' })
      .expect(201);
    expect(res.body).toEqual({ name: 'a', owner: user.id });
  });

  it('maps an AppError thrown by an async handler to its status with details', async () => {
    const res = await request(app)
      .post('/api/things')
      .set('authorization', user.authorization)
      .send({ name: 'taken' })
      .expect(409);
    expect(res.body).toEqual({ code: 'CONFLICT', message: 'Name taken', details: { name: 'taken' } });
  });

  it('answers 500 without internals for an unexpected error and logs it with its stack', async () => {
    logged.length = 0;
    const res = await request(app)
      .post('/api/things')
      .set('authorization', user.authorization)
      .send({ name: 'boom' })
      .expect(500);
    expect(res.body).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
    expect(logged.join('')).toContain('secret connection string');
    expect(logged.join('')).toContain('"stack"');
  });

  it('answers a path parameter that is not valid percent-encoding with 400, not 500', async () => {
    const res = await request(app).get('/api/things/%E0%A4%A').expect(400);
    expect(res.body).toEqual({ code: 'BAD_REQUEST', message: 'The request path is not valid' });
  });

  it('answers a corrupt gzip body with 400, not 500, and does not echo it', async () => {
    const res = await request(app)
      .post('/api/things')
      .set('authorization', user.authorization)
      .set('content-type', 'application/json')
      .set('content-encoding', 'gzip')
      .send('not gzip at all')
      .expect(400);
    expect(res.body).toEqual({ code: 'BAD_REQUEST', message: 'The request could not be processed' });
  });

  it('answers 503 on /readyz naming the failing check', async () => {
    await request(app)
      .get('/readyz')
      .expect(503, { status: 'unavailable', checks: { never: 'down' } });
  });

  it('documents paths in OpenAPI syntax with their error responses', () => {
    const doc = openapi as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
    };
    expect(doc.paths['/api/things/{id}']?.get?.responses['400']).toBeDefined();
    const post = doc.paths['/api/things']?.post;
    expect(Object.keys(post?.responses ?? {}).sort()).toEqual([
      '201',
      '400',
      '401',
      '403',
      '409',
      '413',
      '415',
      '500',
    ]);
    expect(post?.security).toEqual([{ cookieAuth: [] }, { bearerAuth: [] }]);
  });
});

describe('the request type of a handler', () => {
  const spec = {
    method: 'get',
    path: '/api/things',
    summary: 'Things',
    responses: { 200: { description: 'ok' } },
  } as const;
  const needsUser = (req: AuthedRequest<undefined, undefined, undefined>, res: Response) =>
    res.json({ id: req.currentUser.id });

  // Checked by the typecheck: each @ts-expect-error fails it when its line stops being an error.
  it('carries the signed-in user on a required route only', () => {
    const routes = [
      defineRoute({
        ...spec,
        auth: 'required',
        handler: (req, res) => res.json({ id: req.currentUser.id }),
      }),
      defineRoute({ ...spec, auth: 'required', handler: needsUser }),
      defineRoute({
        ...spec,
        handler: (req, res) => {
          // @ts-expect-error a public route's request may carry no user
          res.json({ id: req.currentUser.id });
        },
      }),
      defineRoute({
        ...spec,
        auth: 'optional',
        handler: (req, res) => {
          // @ts-expect-error an optional route's request may carry no user
          res.json({ id: req.currentUser.id });
        },
      }),
      defineRoute({
        ...spec,
        // @ts-expect-error a handler that needs a user cannot serve a public route
        handler: needsUser,
      }),
    ];
    expect(routes.map((route) => route.auth)).toEqual([
      'required',
      'required',
      undefined,
      'optional',
      undefined,
    ]);
  });
});

describe('security headers', () => {
  const build = (secure: boolean) =>
    createServiceApp({
      service: 'things',
      logger,
      auth: keys.verify,
      session: { keys: createCookieKeys(), secure, maxAgeMs: 60_000 },
      routes: [],
      docsPath: '/api/things/docs',
      docsTitle: 'Things',
      readiness: {},
    }).app;

  it('sends HSTS and upgrade-insecure-requests when served over TLS', async () => {
    const res = await request(build(true)).get('/healthz').expect(200);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it('leaves both out in local development over plain HTTP', async () => {
    const res = await request(build(false)).get('/healthz').expect(200);
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
