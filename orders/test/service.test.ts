import { createDb, createPool } from '@glotixz/common/db';
import {
  createCookieKeys,
  createTestKeys,
  createTestUser,
  invalidServiceEnv,
  invalidServiceEnvPaths,
  testServiceEnv,
} from '@glotixz/common/testing';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import * as schema from '../src/db/schema';
import { startOrdersHarness, type OrdersHarness } from './orders-harness';

let h: OrdersHarness;
beforeAll(async () => {
  h = await startOrdersHarness();
});
afterAll(async () => {
  await h.close();
});

describe('service defaults', () => {
  it('answers /healthz, and /readyz when Postgres and NATS are reachable', async () => {
    await request(h.app).get('/healthz').expect(200, { status: 'ok' });
    await request(h.app)
      .get('/readyz')
      .expect(200, { status: 'ok', checks: { postgres: 'ok', nats: 'ok' } });
  });

  it('exposes Prometheus metrics with request latency by route pattern', async () => {
    await request(h.app).get('/api/orders').set('authorization', h.user().authorization).expect(200);
    const res = await request(h.app).get('/metrics').expect(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="\/api\/orders"/);
    expect(res.text).toContain('# TYPE bus_messages_handled_total counter');
    expect(res.text).toMatch(/^outbox_backlog_events\{service="orders"\} \d+$/m);
  });

  it('serves the OpenAPI document and Swagger UI at /api/orders/docs', async () => {
    const spec = await request(h.app).get('/api/orders/docs/openapi.json').expect(200);
    expect(spec.body.openapi).toBe('3.0.3');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/api/orders', '/api/orders/{id}', '/api/orders/{id}/cancel']),
    );
    expect(Object.keys(spec.body.paths['/api/orders'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(spec.body.paths['/api/orders/{id}'])).toEqual(
      expect.arrayContaining(['get', 'delete']),
    );
    expect(spec.body.paths['/api/orders'].post.responses['409'].description).toContain('TICKET_RESERVED');
    expect(spec.body.paths['/api/orders/{id}/cancel'].post.responses['409'].description).toContain(
      'ORDER_NOT_CANCELLABLE',
    );
    expect(spec.body.components.schemas.Order).toBeDefined();
    const ui = await request(h.app).get('/api/orders/docs/').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(h.app).get('/api/orders/a/b/c').expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});

describe('server faults', () => {
  it('answers 500 without internals, and 503 on /readyz, when Postgres and NATS are down', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/nowhere';
    const pool = createPool(url);
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const keys = createTestKeys();
    const config = configSchema.parse(
      testServiceEnv({ databaseUrl: url, natsUrl: 'nats://127.0.0.1:1', keys }),
    );
    const natsDown = () => Promise.reject(new Error('NATS connection closed'));
    const { app } = createApp({ config, db: createDb(pool, schema), logger, natsReady: natsDown });
    const buyer = createTestUser(keys).authorization;
    try {
      const res = await request(app)
        .post('/api/orders')
        .set('authorization', buyer)
        .send({ ticketId: '0b7f6c1e-2f4d-4d8a-9c3e-5a6b7c8d9e0f' })
        .expect(500);
      expect(res.body).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|stack|127\.0\.0\.1/);
      expect(lines.join('\n')).toMatch(/ECONNREFUSED/);
      const ready = await request(app).get('/readyz').expect(503);
      expect(ready.body.checks).toEqual({ postgres: 'down', nats: 'down' });
    } finally {
      await pool.end();
    }
  });
});

describe('configuration', () => {
  const keys = createTestKeys();
  const valid = {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/orders',
    NATS_URL: 'nats://127.0.0.1:4222',
    JWT_PUBLIC_KEY: keys.publicKey,
    COOKIE_KEYS: createCookieKeys().join(','),
  };

  it('applies the documented defaults', () => {
    expect(configSchema.parse(valid)).toMatchObject({
      NODE_ENV: 'production',
      PORT: 3003,
      NATS_PREFIX: '',
      JWT_ISSUER: 'glotixz-auth',
      JWT_AUDIENCE: 'glotixz',
      TRUST_PROXY: 'loopback',
      EXPIRATION_WINDOW_SECONDS: 900,
      SWEEP_INTERVAL_SECONDS: 5,
      SWEEP_GRACE_SECONDS: 2,
    });
  });

  it('lists every problem of a bad environment at once', () => {
    const result = configSchema.safeParse({ ...invalidServiceEnv, EXPIRATION_WINDOW_SECONDS: '0' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining([...invalidServiceEnvPaths, 'EXPIRATION_WINDOW_SECONDS']),
    );
  });

  it('rejects sweeper settings that would let an unpaid order outlive expiresAt + 30 s (I5)', () => {
    const result = configSchema.safeParse({
      ...valid,
      SWEEP_INTERVAL_SECONDS: '25',
      SWEEP_GRACE_SECONDS: '10',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['SWEEP_INTERVAL_SECONDS']);
  });
});
