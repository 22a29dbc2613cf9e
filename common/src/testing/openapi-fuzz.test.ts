import pino from 'pino';
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../express/route';
import { createServiceApp } from '../express/service-app';
import { createCookieKeys, createTestKeys, createTestUser } from './auth';
import { fuzzOpenApi } from './openapi-fuzz';

const keys = createTestKeys();
const user = createTestUser(keys);

const build = (routes: AnyRoute[]) =>
  createServiceApp({
    service: 'things',
    logger: pino({ level: 'silent' }),
    auth: keys.verify,
    session: { keys: createCookieKeys(), secure: false, maxAgeMs: 60_000 },
    routes,
    docsPath: '/api/things/docs',
    docsTitle: 'Things',
    readiness: {},
  }).app;

const create = (crashWhen: (body: { name: string; count: number }) => boolean) =>
  defineRoute({
    method: 'post',
    path: '/api/things',
    summary: 'Create a thing',
    auth: 'required',
    body: z.object({ name: z.string().min(1).max(20), count: z.number().int().min(1).max(10) }).strict(),
    responses: { 201: { description: 'created' } },
    handler: (req, res) => {
      if (crashWhen(req.body)) throw new Error('crash');
      res.status(201).json(req.body);
    },
  });

const find = defineRoute({
  method: 'get',
  path: '/api/things/:id',
  summary: 'One thing',
  params: z.object({ id: z.uuid() }),
  query: z.object({ q: z.string().max(30).optional() }),
  responses: { 200: { description: 'ok' } },
  handler: (req, res) => {
    // A handler that cuts text by UTF-16 units breaks on a character outside the BMP.
    if (req.query.q && /[\u{10000}-\u{10ffff}]/u.test(req.query.q)) throw new Error('cut a surrogate pair');
    res.json({ id: req.params.id });
  },
});

describe('fuzzOpenApi', () => {
  it('passes an API that answers every request with less than 500', async () => {
    const app = build([create(() => false), { ...find, handler: (_req, res) => res.json({}) } as AnyRoute]);
    const result = await fuzzOpenApi({
      app,
      docsPath: '/api/things/docs',
      authorizations: [user.authorization],
    });
    expect(result).toEqual({ runs: 150, operations: ['postThings', 'getThingsById'] });
  });

  it('finds a crash at a boundary the schema allows, signed in, with the request that caused it', async () => {
    const app = build([create((body) => body.count === 10)]);
    await expect(
      fuzzOpenApi({ app, docsPath: '/api/things/docs', authorizations: [user.authorization] }),
    ).rejects.toThrow(/POST \/api\/things answered 500/);
  });

  it('finds a crash on text the schema allows in a query parameter (a non-BMP character)', async () => {
    const app = build([find as AnyRoute]);
    await expect(fuzzOpenApi({ app, docsPath: '/api/things/docs', runs: 300 })).rejects.toThrow(
      /GET \/api\/things\/[^ ]+ answered 500/,
    );
  });
});
