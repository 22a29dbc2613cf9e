import { randomUUID } from 'node:crypto';
import { configIssuePaths, describeService, useHarness, waitFor } from '@glotixz/common/testing';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import { createExpirationMetrics } from '../src/expirations/expiration.metrics';
import { createExpirationQueue } from '../src/expirations/expiration.queue';
import { closeRedis, createRedis } from '../src/redis/redis';
import { startExpirationHarness, type TestInstance } from './expiration-harness';

let instance: TestInstance;
const h = useHarness(startExpirationHarness);
beforeAll(async () => {
  instance = await h.startInstance();
});

function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeService({
  app: () => instance.app.app,
  readyChecks: { redis: 'ok', nats: 'ok' },
  docs: {
    path: '/api/expiration/docs',
    paths: [],
    also: (document) => expect(document.paths).toEqual({}),
  },
  unknownRoute: { path: '/api/expiration/jobs' },
});

describe('expiration metrics', () => {
  it('counts received orders, fired jobs and jobs by state in /metrics', async () => {
    const order = await h.publishOrderCreated({ expiresAt: new Date(Date.now() - 1_000).toISOString() });
    await waitFor(async () => (await h.queue.getJobState(order.id)) === 'completed', 3_000, 'the fired job');

    const res = await request(instance.app.app).get('/metrics').expect(200);
    expect(metricValue(res.text, 'expiration_orders_received_total{service="expiration"}')).toBe(1);
    expect(metricValue(res.text, 'expiration_jobs_fired_total{service="expiration"}')).toBe(1);
    expect(metricValue(res.text, 'expiration_jobs{state="completed",service="expiration"}')).toBe(1);
    expect(metricValue(res.text, 'expiration_jobs{state="delayed",service="expiration"}')).toBe(0);
    expect(res.text).toContain('expiration_job_failures_total');
    expect(res.text).toMatch(
      /^bus_messages_handled_total\{consumer="[^"]+",subject="order.created",outcome="acked",service="expiration"\} 1$/m,
    );
  });

  it('shows a scheduled order as a delayed job in /metrics', async () => {
    const order = await h.publishOrderCreated({ expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await waitFor(async () => (await h.queue.getJobState(order.id)) === 'delayed', 2_000, 'the delayed job');
    const res = await request(instance.app.app).get('/metrics').expect(200);
    expect(metricValue(res.text, 'expiration_jobs{state="delayed",service="expiration"}')).toBe(1);
    await h.queue.remove(order.id);
  });
});

describe('readiness faults', () => {
  it('answers 503 on /readyz when Redis is unreachable', async () => {
    const redis = createRedis('redis://127.0.0.1:1', pino({ level: 'silent' }));
    const queue = createExpirationQueue(redis, { name: `down-${randomUUID()}`, prefix: 'glotixz-test' });
    queue.on('error', () => undefined);
    const { app } = createApp({
      logger: pino({ level: 'silent' }),
      redis,
      messaging: { ready: async () => void (await h.bus.jsm.getAccountInfo()) },
      queue,
      metrics: createExpirationMetrics(),
    });
    try {
      const started = Date.now();
      await request(app)
        .get('/readyz')
        .expect(503, { status: 'unavailable', checks: { redis: 'down', nats: 'ok' } });
      expect(Date.now() - started).toBeLessThan(1_000);
      const metrics = await request(app).get('/metrics').expect(200);
      expect(metrics.text).toContain('expiration_jobs_fired_total');
    } finally {
      await queue.close();
      await closeRedis(redis);
    }
  });

  it('answers 503 on /readyz once NATS is closed', async () => {
    const other = await h.startInstance();
    await other.messaging.stop();
    await request(other.app.app)
      .get('/readyz')
      .expect(503, { status: 'unavailable', checks: { redis: 'ok', nats: 'down' } });
    await other.stop();
  });
});

describe('configuration', () => {
  const valid = { NATS_URL: 'nats://127.0.0.1:4222', REDIS_URL: 'redis://127.0.0.1:6379' };

  it('defaults the port, queue name and key prefix', () => {
    expect(configSchema.parse(valid)).toMatchObject({
      NODE_ENV: 'production',
      PORT: 3005,
      LOG_LEVEL: 'info',
      NATS_PREFIX: '',
      QUEUE_NAME: 'order-expiration',
      QUEUE_PREFIX: 'glotixz',
    });
  });

  it('lists every problem of a bad environment at once', () => {
    const env = {
      PORT: 'abc',
      NATS_URL: 'http://nats',
      REDIS_URL: 'nope',
      QUEUE_NAME: 'bad:name',
      NATS_PREFIX: 'a.b',
    };
    expect(configIssuePaths(configSchema, env)).toEqual(
      expect.arrayContaining(['PORT', 'NATS_URL', 'REDIS_URL', 'QUEUE_NAME', 'NATS_PREFIX']),
    );
  });
});
