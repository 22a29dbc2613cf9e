import { createDb } from '@glotixz/common/db';
import { configIssuePaths, describeService, useHarness } from '@glotixz/common/testing';
import request from 'supertest';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import * as schema from '../src/db/schema';
import { startAuthHarness } from './auth-harness';

const h = useHarness(startAuthHarness);

describeService({
  app: () => h.app,
  readyChecks: { postgres: 'ok' },
  metrics: { path: '/api/users/currentuser', route: '/api/users/currentuser' },
  docs: {
    path: '/api/users/docs',
    paths: [
      '/api/users/signup',
      '/api/users/signin',
      '/api/users/signout',
      '/api/users/currentuser',
      '/api/users/password-reset',
      '/api/users/password-reset/confirm',
    ],
    also: (document) => expect(document.paths['/api/users/signup'].post.responses['409']).toBeDefined(),
  },
  unknownRoute: { path: '/api/users/nope' },
  faults: {
    build: ({ env, keys, pool, logger }) =>
      createApp({
        config: configSchema.parse({ ...env, JWT_PRIVATE_KEY: keys.privateKey }),
        db: createDb(pool, schema),
        logger,
      }).app,
    send: {
      path: '/api/users/signup',
      body: { email: 'down@example.com', password: 'long enough password' },
    },
    downChecks: { postgres: 'down' },
  },
});

describe('security headers', () => {
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

describe('configuration', () => {
  it('lists every problem of a bad environment at once', () => {
    const env = { PORT: 'abc', DATABASE_URL: 'mysql://x', JWT_PRIVATE_KEY: 'nope', COOKIE_KEYS: 'short' };
    expect(configIssuePaths(configSchema, env)).toEqual(
      expect.arrayContaining(['PORT', 'DATABASE_URL', 'JWT_PRIVATE_KEY', 'COOKIE_KEYS.0']),
    );
  });
});
