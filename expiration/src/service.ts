import { startMessaging, type Bus, type Messaging } from '@glotixz/common/bus';
import { createMetricsRegistry, type Lifecycle, type ServiceApp } from '@glotixz/common/express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { Config } from './config';
import { expirationConsumers } from './events/consumers';
import { createExpirationMetrics, type ExpirationMetrics } from './expirations/expiration.metrics';
import { createExpirationQueue, type ExpirationQueue } from './expirations/expiration.queue';
import {
  startExpirationWorker,
  type ExpirationPublisher,
  type ExpirationWorker,
} from './expirations/expiration.worker';
import { closeRedis, createRedis, isRedisConnectionError } from './redis/redis';

/** What {@link startExpirationService} needs. */
export interface StartOptions {
  config: Config;
  logger: Logger;
  /** Receives a closer per resource; they run last-registered first. */
  lifecycle: Pick<Lifecycle, 'onShutdown'>;
  /** What the worker publishes through, given the bus; the bus itself by default. Tests inject faults. */
  publisher?: (bus: Bus) => ExpirationPublisher;
}

/** A running expiration service, minus its HTTP listener. */
export interface ExpirationService {
  app: ServiceApp;
  redis: Redis;
  queue: ExpirationQueue;
  messaging: Messaging;
  worker: ExpirationWorker;
  metrics: ExpirationMetrics;
}

/**
 * Connects Redis and NATS, starts the `order.created` consumer and the worker, and builds the app.
 * Shutdown, in order: stop consuming, close the worker (finishing the job in flight), drain NATS,
 * close the queue, close Redis.
 */
export async function startExpirationService(options: StartOptions): Promise<ExpirationService> {
  const { config, logger, lifecycle } = options;

  const redis = createRedis(config.REDIS_URL, logger);
  lifecycle.onShutdown('redis', () => closeRedis(redis));

  const queueOptions = { name: config.QUEUE_NAME, prefix: config.QUEUE_PREFIX };
  const queue = createExpirationQueue(redis, queueOptions);
  queue.on('error', (err) => {
    if (!isRedisConnectionError(err)) logger.error({ err }, 'expiration queue error');
  });
  lifecycle.onShutdown('queue', () => queue.close());

  const metrics = createExpirationMetrics();
  const registry = createMetricsRegistry();
  const messaging = await startMessaging({
    service: 'expiration',
    natsUrl: config.NATS_URL,
    prefix: config.NATS_PREFIX,
    streamReplicas: config.NATS_STREAM_REPLICAS,
    logger,
    consumers: expirationConsumers({ queue, metrics }),
    metrics: registry,
  });
  lifecycle.onShutdown('nats', () => messaging.stop());

  const worker = startExpirationWorker({
    queue: queueOptions,
    redis,
    publisher: options.publisher?.(messaging.bus) ?? messaging.bus,
    logger,
    metrics,
  });
  // A graceful close waits on Redis. Without Redis no job in flight can complete anyway; its lock
  // expires and BullMQ reruns it later, publishing the same event id.
  lifecycle.onShutdown('worker', () => worker.close(redis.status !== 'ready'));
  lifecycle.onShutdown('consumers', () =>
    Promise.all(messaging.consumers.map((consumer) => consumer.stop())),
  );

  const app = createApp({ logger, redis, messaging, queue, metrics, registry });
  return { app, redis, queue, messaging, worker, metrics };
}
