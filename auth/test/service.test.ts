import { createDb, createPool } from '@glotixz/common/db';
import { createCookieKeys, createTestKeys } from '@glotixz/common/testing';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import * as schema from '../src/db/schema';
import { startAuthHarness, type AuthHarness } from './auth-harness';

let h: AuthHarness;
beforeAll(async () => {
  h = await startAuthHarness();
});
afterAll(async () => {
  await h.close();
});

describe('service defaults', () => {
  it('answers /healthz and /readyz when Postgres is reachable', async () => {
    await request(h.app).get('/healthz').expect(200, { status: 'ok' });
    await request(h.app)
      .get('/readyz')
      .expect(200, { status: 'ok', checks: { postgres: 'ok' } });
  });

  it('exposes Prometheus metrics with request latency by route', async () => {
    await request(h.app).get('/api/users/currentuser').expect(200);
    const res = await request(h.app).get('/metrics').expect(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="\/api\/users\/currentuser"/);
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const spec = await request(h.app).get('/api/users/docs/openapi.json').expect(200);
    expect(spec.body.openapi).toBe('3.0.3');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/users/signup',
        '/api/users/signin',
        '/api/users/signout',
        '/api/users/currentuser',
      ]),
    );
    expect(spec.body.paths['/api/users/signup'].post.responses['409']).toBeDefined();
    const ui = await request(h.app).get('/api/users/docs/').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(h.app).get('/api/users/nope').expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('sets security headers and a request id', async () => {
    const res = await request(h.app).get('/api/users/currentuser').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/[0-9a-f-]{36}/);
    const echoed = await request(h.app).get('/healthz').set('x-request-id', 'req-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('req-123');
  });
});

describe('server faults', () => {
  it('answers 500 without internals and 503 on /readyz when the database is down', async () => {
    const pool = createPool('postgres://postgres@127.0.0.1:1/nowhere');
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const keys = createTestKeys();
    const config = configSchema.parse({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
      NATS_URL: 'nats://127.0.0.1:4222',
      JWT_PRIVATE_KEY: keys.privateKey,
      COOKIE_KEYS: createCookieKeys().join(','),
    });
    const { app } = createApp({ config, db: createDb(pool, schema), logger });
    try {
      const res = await request(app)
        .post('/api/users/signup')
        .send({ email: 'down@example.com', password: 'long enough password' })
        .expect(500);
      expect(res.body).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|stack|127\.0\.0\.1/);
      expect(lines.join('\n')).toMatch(/ECONNREFUSED/);
      await request(app).get('/readyz').expect(503);
    } finally {
      await pool.end();
    }
  });
});

describe('configuration', () => {
  it('lists every problem of a bad environment at once', () => {
    const result = configSchema.safeParse({
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      JWT_PRIVATE_KEY: 'nope',
      COOKIE_KEYS: 'short',
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['PORT', 'DATABASE_URL', 'JWT_PRIVATE_KEY', 'COOKIE_KEYS.0']),
    );
  });
});
