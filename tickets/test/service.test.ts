import { describeService, useHarness, waitFor } from '@glotixz/common/testing';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import { startTicketsHarness } from './tickets-harness';

const h = useHarness(startTicketsHarness);

describeService({
  app: () => h.app,
  readyChecks: { postgres: 'ok', nats: 'ok' },
  metrics: { path: '/api/tickets', route: '/api/tickets' },
  docs: {
    path: '/api/tickets/docs',
    paths: [
      '/api/tickets',
      '/api/tickets/{id}',
      '/api/tickets/{id}/relist',
      '/api/events',
      '/api/events/{id}',
    ],
    also(document) {
      expect(Object.keys(document.paths['/api/tickets/{id}'].put.responses as object)).toEqual(
        expect.arrayContaining(['200', '400', '401', '403', '404', '409', '500']),
      );
      expect(document.components.schemas.Ticket).toBeDefined();
      expect(document.components.schemas.Event).toBeDefined();
    },
  },
  unknownRoute: { method: 'delete', path: '/api/tickets/nope/nothing' },
  config: {
    schema: configSchema,
    defaults: { PORT: 3002, DEFAULT_CURRENCY: 'usd', EVENT_CLOSE_INTERVAL_SECONDS: 5 },
    invalid: { DEFAULT_CURRENCY: 'zzz', EVENT_CLOSE_INTERVAL_SECONDS: '0' },
    invalidPaths: ['DEFAULT_CURRENCY', 'EVENT_CLOSE_INTERVAL_SECONDS'],
  },
});

describe('readiness and bus metrics', () => {
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
});
