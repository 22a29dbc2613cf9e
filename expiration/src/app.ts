import type { Messaging } from '@glotixz/common/bus';
import { createServiceApp, type Registry, type ServiceApp } from '@glotixz/common/express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ExpirationMetrics } from './expirations/expiration.metrics';
import type { ExpirationQueue } from './expirations/expiration.queue';
import { pingRedis } from './redis/redis';

/** What the expiration app needs from the outside world. */
export interface AppDeps {
  logger: Logger;
  redis: Redis;
  messaging: Pick<Messaging, 'ready'>;
  queue: ExpirationQueue;
  metrics: ExpirationMetrics;
  /** The registry `/metrics` serves, shared with `startMessaging` for the bus metrics; a new one by default. */
  registry?: Registry;
}

/**
 * Builds the expiration Express app: no API routes, only `/healthz`, `/readyz` (Redis and NATS)
 * and `/metrics` with the job metrics. No side effects: the service listens, tests use supertest.
 */
export function createApp({ logger, redis, messaging, queue, metrics, registry }: AppDeps): ServiceApp {
  const service = createServiceApp({
    service: 'expiration',
    logger,
    routes: [],
    docsPath: '/api/expiration/docs',
    docsTitle: 'Glotixz expiration service',
    readiness: {
      redis: () => pingRedis(redis),
      nats: () => messaging.ready(),
    },
    registry,
  });
  metrics.register(service.metrics, queue, () => redis.status === 'ready');
  return service;
}
