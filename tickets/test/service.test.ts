import {
  createCookieKeys,
  createTestKeys,
  invalidServiceEnv,
  invalidServiceEnvPaths,
  waitFor,
} from '@glotixz/common/testing';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import { startTicketsHarness, type TicketsHarness } from './tickets-harness';

let h: TicketsHarness;
beforeAll(async () => {
  h = await startTicketsHarness();
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

  it('answers 503 on /readyz when NATS is not ready', async () => {
    const { app } = createApp({
      config: h.config,
      db: h.db,
      natsReady: () => Promise.reject(new Error('NATS connection closed')),
      logger: pino({ level: 'silent' }),
    });
    await request(app)
      .get('/readyz')
      .expect(503, { status: 'unavailable', checks: { postgres: 'ok', nats: 'down' } });
  });

  it('exposes Prometheus metrics with request latency by route', async () => {
    await request(h.app).get('/api/tickets').expect(200);
    const res = await request(h.app).get('/metrics').expect(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toMatch(/route="\/api\/tickets"/);
  });

  it('exposes the bus and outbox metrics on the same /metrics', async () => {
    const ticket = await h.createTicket(h.user());
    await h.publish('order.created', {
      id: randomUUID(),
      status: 'awaiting_payment',
      userId: randomUUID(),
      expiresAt: new Date(Date.now() + 900_000).toISOString(),
      version: 0,
      ticket: { id: ticket.id, title: ticket.title, price: ticket.price, currency: ticket.currency },
    });
    await h.settled('tickets-order-created');
    await waitFor(async () => (await h.messaging.relay?.backlog())?.count === 0, 5_000, 'an empty outbox');

    const res = await request(h.app).get('/metrics').expect(200);
    expect(res.text).toMatch(
      /^bus_messages_handled_total\{consumer="tickets-order-created",subject="order.created",outcome="acked",service="tickets"\} 1$/m,
    );
    expect(res.text).toMatch(
      /^bus_handler_duration_seconds_count\{service="tickets",consumer="tickets-order-created"\} 1$/m,
    );
    expect(res.text).toContain('# TYPE bus_redeliveries_total counter');
    // The ticket's creation and its reservation, each a ticket event through the outbox.
    expect(res.text).toMatch(/^outbox_published_total\{service="tickets"\} 2$/m);
    expect(res.text).toMatch(/^outbox_publish_failures_total\{service="tickets"\} 0$/m);
    expect(res.text).toMatch(/^outbox_backlog_events\{service="tickets"\} 0$/m);
    expect(res.text).toMatch(/^outbox_oldest_event_age_seconds\{service="tickets"\} 0$/m);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
  });

  it('serves the OpenAPI document and Swagger UI at /api/tickets/docs', async () => {
    const spec = await request(h.app).get('/api/tickets/docs/openapi.json').expect(200);
    expect(spec.body.openapi).toBe('3.0.3');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining(['/api/tickets', '/api/tickets/{id}']),
    );
    const put = spec.body.paths['/api/tickets/{id}'].put;
    expect(Object.keys(put.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '409', '500']),
    );
    expect(spec.body.components.schemas.Ticket).toBeDefined();
    const ui = await request(h.app).get('/api/tickets/docs/').expect(200);
    expect(ui.text).toContain('swagger-ui');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await request(h.app).delete('/api/tickets/nope').expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});

describe('configuration', () => {
  const valid = () => ({
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/tickets',
    NATS_URL: 'nats://127.0.0.1:4222',
    JWT_PUBLIC_KEY: createTestKeys().publicKey,
    COOKIE_KEYS: createCookieKeys().join(','),
  });

  it('applies the defaults', () => {
    const config = configSchema.parse(valid());
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      PORT: 3002,
      NATS_PREFIX: '',
      JWT_ISSUER: 'glotixz-auth',
      JWT_AUDIENCE: 'glotixz',
      TRUST_PROXY: 'loopback',
      DEFAULT_CURRENCY: 'usd',
    });
  });

  it('lists every problem of a bad environment at once', () => {
    const result = configSchema.safeParse({ ...invalidServiceEnv, DEFAULT_CURRENCY: 'zzz' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining([...invalidServiceEnvPaths, 'DEFAULT_CURRENCY']),
    );
  });
});
