import type { Bus } from '@glotixz/common/bus';
import { createEnvelope, expirationCompletedSubject, type Envelope } from '@glotixz/common/events';
import { inContinuedTrace } from '@glotixz/common/tracing';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isRedisConnectionError } from '../redis/redis';
import { expirationEventId } from './expiration-event-id';
import type { ExpirationMetrics } from './expiration.metrics';
import {
  expiryJobDataSchema,
  type ExpirationQueueOptions,
  type ExpiryJobData,
  type ExpiryJobResult,
  type expiryJobName,
} from './expiration.queue';

/** What the worker publishes through: the bus, or a wrapper around it in tests. */
export type ExpirationPublisher = Pick<Bus, 'publish'>;

/** The worker that fires the expiry jobs. */
export type ExpirationWorker = Worker<ExpiryJobData, ExpiryJobResult, typeof expiryJobName>;

/**
 * The `expiration.completed` event of an order. Every field is derived from the job, so each
 * attempt publishes the same event: same id (JetStream `msgID`, inbox key), and `occurredAt` is
 * the moment the reservation window ended.
 */
export function expirationCompletedEnvelope(
  data: ExpiryJobData,
): Envelope<typeof expirationCompletedSubject> {
  return createEnvelope(
    expirationCompletedSubject,
    { orderId: data.orderId },
    { id: expirationEventId(data.orderId), occurredAt: new Date(data.expiresAt) },
  );
}

/**
 * Publishes the `expiration.completed` event of one job and resolves with JetStream's PubAck.
 * @throws Error when JetStream does not acknowledge; the job is then retried with backoff.
 */
export async function fireExpiry(
  data: ExpiryJobData,
  publisher: ExpirationPublisher,
): Promise<ExpiryJobResult> {
  const envelope = expirationCompletedEnvelope(data);
  const ack = await publisher.publish(envelope);
  return { eventId: envelope.id, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
}

/** What {@link startExpirationWorker} needs. */
export interface ExpirationWorkerOptions {
  queue: ExpirationQueueOptions;
  /** Duplicated by BullMQ for the worker's own (blocking) connections; needs `maxRetriesPerRequest: null`. */
  redis: Redis;
  publisher: ExpirationPublisher;
  logger: Logger;
  metrics: ExpirationMetrics;
  /** Jobs fired in parallel. Default 10. */
  concurrency?: number;
}

/**
 * Starts the BullMQ worker: each job fires when due (overdue ones at once, e.g. after a restart)
 * and completes only after the PubAck, so a failed publish is retried with the job's backoff.
 * Redis is this service's outbox. `close()` waits for the jobs in flight.
 */
export function startExpirationWorker(options: ExpirationWorkerOptions): ExpirationWorker {
  const { publisher, metrics } = options;
  const logger = options.logger.child({ component: 'expiration-worker' });

  const worker: ExpirationWorker = new Worker(
    options.queue.name,
    async (job: Job<ExpiryJobData, ExpiryJobResult, typeof expiryJobName>) => {
      const parsed = expiryJobDataSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.message}`);
      const data = parsed.data;
      // The expiry joins the trace of the order it ends.
      return inContinuedTrace('expire-order', data.trace, () => fireExpiry(data, publisher), {
        attributes: { 'glotixz.order.id': data.orderId, 'glotixz.job.attempt': job.attemptsMade + 1 },
      });
    },
    {
      connection: options.redis,
      prefix: options.queue.prefix,
      concurrency: options.concurrency ?? 10,
    },
  );

  worker.on('completed', (job, result) => {
    metrics.jobsFired.inc();
    logger.info(
      { orderId: job.data.orderId, eventId: result.eventId, seq: result.seq, duplicate: result.duplicate },
      'order expired: expiration.completed published',
    );
  });
  worker.on('failed', (job, err) => {
    const attempts = job?.opts.attempts ?? 1;
    const retrying = job !== undefined && job.attemptsMade < attempts && !(err instanceof UnrecoverableError);
    metrics.jobFailures.inc({ outcome: retrying ? 'retrying' : 'given_up' });
    const context = { err, orderId: job?.data.orderId, attemptsMade: job?.attemptsMade, attempts };
    if (retrying) logger.warn(context, 'could not publish expiration.completed; will retry');
    else logger.error(context, 'gave up publishing expiration.completed; the orders sweeper will cancel');
  });
  worker.on('error', (err) => {
    if (isRedisConnectionError(err)) logger.debug({ err }, 'expiration worker waiting for redis');
    else logger.error({ err }, 'expiration worker error');
  });
  return worker;
}
