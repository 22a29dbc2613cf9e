import { createDb } from '@glotixz/common/db';
import { configIssuePaths, describeService, useHarness } from '@glotixz/common/testing';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import * as schema from '../src/db/schema';
import { eticketTestKeys, startOrdersHarness } from './orders-harness';

const h = useHarness(startOrdersHarness);

describeService({
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
    paths: [
      '/api/orders',
      '/api/orders/{id}',
      '/api/orders/{id}/cancel',
      '/api/orders/{id}/eticket',
      '/api/orders/{id}/eticket.pdf',
      '/api/orders/{id}/eticket.ics',
    ],
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
  faults: {
    build: ({ env, pool, logger }) =>
      createApp({
        config: configSchema.parse({ ...env, ...eticketTestKeys().env }),
        db: createDb(pool, schema),
        logger,
        natsReady: () => Promise.reject(new Error('NATS connection closed')),
      }).app,
    send: { path: '/api/orders', body: { ticketId: '0b7f6c1e-2f4d-4d8a-9c3e-5a6b7c8d9e0f' }, signedIn: true },
    downChecks: { postgres: 'down', nats: 'down' },
  },
  config: {
    schema: configSchema,
    required: eticketTestKeys().env,
    defaults: {
      PORT: 3003,
      EXPIRATION_WINDOW_SECONDS: 900,
      SWEEP_INTERVAL_SECONDS: 5,
      SWEEP_GRACE_SECONDS: 2,
    },
    invalid: { EXPIRATION_WINDOW_SECONDS: '0' },
    invalidPaths: ['EXPIRATION_WINDOW_SECONDS'],
    also(valid) {
      it('rejects sweeper settings that would let an unpaid order outlive expiresAt + 30 s (I5)', () => {
        const env = { ...valid(), SWEEP_INTERVAL_SECONDS: '25', SWEEP_GRACE_SECONDS: '10' };
        expect(configIssuePaths(configSchema, env)).toEqual(['SWEEP_INTERVAL_SECONDS']);
      });
    },
  },
});
