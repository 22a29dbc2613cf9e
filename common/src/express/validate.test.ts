import pino from 'pino';
import request from 'supertest';
import { z } from 'zod';
import { createCookieKeys } from '../testing/auth';
import { defineRoute } from './route';
import { createServiceApp } from './service-app';

const echo = defineRoute({
  method: 'post',
  path: '/api/echo/:name',
  summary: 'Echo',
  params: z.object({ name: z.string() }),
  query: z.object({ tag: z.string().optional() }),
  body: z.object({ text: z.string(), tags: z.array(z.string()).optional() }).passthrough(),
  responses: { 200: { description: 'The parsed request' } },
  handler: (req, res) => {
    res.json({ params: req.params, query: req.query, body: req.body });
  },
});

const unvalidated = defineRoute({
  method: 'get',
  path: '/api/plain',
  summary: 'A route without schemas',
  responses: { 200: { description: 'ok' } },
  handler: (_req, res) => {
    res.json({ ok: true });
  },
});

const { app } = createServiceApp({
  service: 'echo',
  logger: pino({ level: 'silent' }),
  session: { keys: createCookieKeys(), secure: false, maxAgeMs: 60_000 },
  routes: [echo, unvalidated],
  docsPath: '/api/echo/docs',
  docsTitle: 'Echo',
  readiness: {},
});

const paths = (body: { details: { path: string }[] }) => body.details.map((d) => d.path).sort();

describe('a NUL character anywhere in a request', () => {
  it('is refused in every part at once with 400 VALIDATION_FAILED naming each place', async () => {
    const res = await request(app)
      .post('/api/echo/a%00b?tag=%00')
      .send({ text: 'x\u0000', tags: ['ok', '\u0000'], extra: { deep: ['\u0000'] } })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(paths(res.body)).toEqual([
      'body.extra.deep.0',
      'body.tags.1',
      'body.text',
      'params.name',
      'query.tag',
    ]);
  });

  it('is refused in an object key', async () => {
    const res = await request(app).post('/api/echo/a').send({ text: 'x', 'k\u0000': 1 }).expect(400);
    expect(paths(res.body)).toEqual(['body.k\\u0000']);
  });

  it('is looked for at any depth: a body nested past 32 levels is refused', async () => {
    let deep: unknown = 'end';
    for (let i = 0; i < 40; i += 1) deep = [deep];
    const res = await request(app).post('/api/echo/a').send({ text: 'x', deep }).expect(400);
    expect(res.body.details).toEqual([
      { path: `body.deep${'.0'.repeat(31)}`, message: 'Must not be nested more than 32 levels deep' },
    ]);
  });

  it('is refused on a route that declares no schemas', async () => {
    const res = await request(app).get('/api/plain?anything=%00').expect(400);
    expect(paths(res.body)).toEqual(['query.anything']);
  });

  it('leaves other control and non-BMP characters to the schemas', async () => {
    const text = 'tab\there \u0001 𠮷野家';
    const res = await request(app).post('/api/echo/%F0%A0%AE%B7').send({ text }).expect(200);
    expect(res.body).toEqual({ params: { name: '𠮷' }, query: {}, body: { text } });
  });
});
