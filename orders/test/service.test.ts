import { createDb, createPool } from '@glotixz/common/db';
import {
  configIssuePaths,
  createCookieKeys,
  createTestKeys,
  createTestUser,
  describeServerFaults,
  describeServiceDefaults,
  invalidServiceEnv,
  invalidServiceEnvPaths,
  testServiceEnv,
  tokenVerifierDefaults,
} from '@glotixz/common/testing';
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

describeServiceDefaults({
  app: () => h.app,
  readyChecks: { postgres: 'ok', nats: 'ok' },
  metrics: {
    path: '/api/orders',
    route: '/api/orders',
    authorization: () => h.user().authorization,
    also(text) {
      expect(text).toContain('# TYPE bus_messages_handled_total counter');
      expect(text).toMatch(/^outbox_backlog_events\{service="orders"\} \d+$/m);
    },
  },
  docs: {
    path: '/api/orders/docs',
    paths: ['/api/orders', '/api/orders/{id}', '/api/orders/{id}/cancel'],
    also({ paths, components }) {
      expect(Object.keys(paths['/api/orders'] as object)).toEqual(expect.arrayContaining(['get', 'post']));
      expect(Object.keys(paths['/api/orders/{id}'] as object)).toEqual(
        expect.arrayContaining(['get', 'delete']),
      );
      expect(paths['/api/orders'].post.responses['409'].description).toContain('TICKET_RESERVED');
      expect(paths['/api/orders/{id}/cancel'].post.responses['409'].description).toContain(
        'ORDER_NOT_CANCELLABLE',
      );
      expect(components.schemas.Order).toBeDefined();
    },
  },
  unknownRoute: { path: '/api/orders/a/b/c' },
});

// Whose public key the unreachable app trusts.
const downKeys = createTestKeys();
describeServerFaults({
  build(logger) {
    const url = 'postgres://postgres@127.0.0.1:1/nowhere';
    const pool = createPool(url);
    const config = configSchema.parse(
      testServiceEnv({ databaseUrl: url, natsUrl: 'nats://127.0.0.1:1', keys: downKeys }),
    );
    const natsDown = () => Promise.reject(new Error('NATS connection closed'));
    const { app } = createApp({ config, db: createDb(pool, schema), logger, natsReady: natsDown });
    return { app, close: () => pool.end() };
  },
  send: (app) =>
    request(app)
      .post('/api/orders')
      .set('authorization', createTestUser(downKeys).authorization)
      .send({ ticketId: '0b7f6c1e-2f4d-4d8a-9c3e-5a6b7c8d9e0f' }),
  downChecks: { postgres: 'down', nats: 'down' },
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
      ...tokenVerifierDefaults,
      PORT: 3003,
      EXPIRATION_WINDOW_SECONDS: 900,
      SWEEP_INTERVAL_SECONDS: 5,
      SWEEP_GRACE_SECONDS: 2,
    });
  });

  it('lists every problem of a bad environment at once', () => {
    const env = { ...invalidServiceEnv, EXPIRATION_WINDOW_SECONDS: '0' };
    expect(configIssuePaths(configSchema, env)).toEqual(
      expect.arrayContaining([...invalidServiceEnvPaths, 'EXPIRATION_WINDOW_SECONDS']),
    );
  });

  it('rejects sweeper settings that would let an unpaid order outlive expiresAt + 30 s (I5)', () => {
    const env = { ...valid, SWEEP_INTERVAL_SECONDS: '25', SWEEP_GRACE_SECONDS: '10' };
    expect(configIssuePaths(configSchema, env)).toEqual(['SWEEP_INTERVAL_SECONDS']);
  });
});
