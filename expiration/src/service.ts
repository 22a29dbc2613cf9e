import type { Bus } from '@glotixz/common/bus';
import { deferredTask, defineService } from '@glotixz/common/service';
import { createApp } from './app';
import { readConfig } from './config';
import { expirationConsumers } from './events/consumers';
import { createExpirationMetrics } from './expirations/expiration.metrics';
import { createExpirationQueue } from './expirations/expiration.queue';
import { startExpirationWorker, type ExpirationPublisher } from './expirations/expiration.worker';
import { closeRedis, createRedis, isRedisConnectionError } from './redis/redis';

/** Options of {@link declareExpirationService}. */
export interface ExpirationServiceOptions {
  /** What the worker publishes through, given the bus; the bus itself by default. Tests inject faults. */
  publisher?: (bus: Bus) => ExpirationPublisher;
}

/**
 * Declares the expiration service: no database, Redis is its outbox. It connects Redis, opens the
 * queue, consumes `order.created` into delayed jobs and runs the worker that fires them as
 * `expiration.completed`. Shutdown, in order: stop consuming, close the worker (finishing the job
 * in flight), drain NATS, close the queue, close Redis.
 */
export function declareExpirationService(options: ExpirationServiceOptions = {}) {
  return defineService({
    name: 'expiration',
    config: readConfig,
    setup: ({ config, logger }, lifecycle) => {
      const redis = createRedis(config.REDIS_URL, logger);
      lifecycle.onShutdown('redis', () => closeRedis(redis));
      const queueOptions = { name: config.QUEUE_NAME, prefix: config.QUEUE_PREFIX };
      const queue = createExpirationQueue(redis, queueOptions);
      queue.on('error', (err) => {
        if (!isRedisConnectionError(err)) logger.error({ err }, 'expiration queue error');
      });
      lifecycle.onShutdown('queue', () => queue.close());
      return { redis, queue, queueOptions, metrics: createExpirationMetrics() };
    },
    consumers: ({ queue, metrics }) => expirationConsumers({ queue, metrics }),
    tasks: ({ logger, redis, queueOptions, metrics, messaging }) => ({
      worker: deferredTask(() => {
        const worker = startExpirationWorker({
          queue: queueOptions,
          redis,
          publisher: options.publisher?.(messaging.bus) ?? messaging.bus,
          logger,
          metrics,
        });
        // A graceful close waits on Redis. Without Redis no job in flight can complete anyway; its
        // lock expires and BullMQ reruns it later, publishing the same event id.
        return { stop: () => worker.close(redis.status !== 'ready') };
      }),
    }),
    createApp,
  });
}

/** The expiration service as it runs in production. */
export const expirationService = declareExpirationService();
