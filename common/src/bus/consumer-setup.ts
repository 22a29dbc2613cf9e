import type { Logger } from 'pino';
import type { Subject } from '../events';
import type { BackoffOptions } from './backoff';
import type { BatchHandler, ConsumeOptions, ConsumerBus } from './consumer.types';
import type { FailurePolicy } from './failure-policy';
import type { ConsumerMetrics } from './metrics';

const defaultBackoff: BackoffOptions = { baseMs: 200, capMs: 10_000 };

/** One consumer's settings, with their defaults applied, and what it reports to. */
export interface ConsumerSetup<S extends Subject> {
  bus: ConsumerBus;
  subject: S;
  durable: string;
  handler: ConsumeOptions<S>['handler'];
  batch: BatchHandler<S> | undefined;
  /** 1 without a batch handler. */
  maxBatch: number;
  prefetch: number;
  policy: FailurePolicy;
  ackWaitMs: number;
  logger: Logger;
  metrics: ConsumerMetrics | undefined;
}

/** Applies the defaults of {@link ConsumeOptions} and checks the limits. */
export function resolveOptions<S extends Subject>(
  bus: ConsumerBus,
  options: ConsumeOptions<S>,
): ConsumerSetup<S> {
  const maxDeliver = options.maxDeliver ?? 5;
  if (maxDeliver < 1) throw new Error('maxDeliver must be at least 1');
  const maxBatch = options.batch ? (options.maxBatch ?? 50) : 1;
  if (!Number.isInteger(maxBatch) || maxBatch < 1)
    throw new Error('maxBatch must be a whole number of at least 1');
  return {
    bus,
    subject: options.subject,
    durable: options.durable,
    handler: options.handler,
    batch: options.batch,
    maxBatch,
    prefetch: options.prefetch ?? 100,
    policy: {
      maxDeliver,
      retryLaterLimitMs: options.retryLaterLimitMs ?? 24 * 60 * 60 * 1000,
      backoff: options.backoff ?? defaultBackoff,
    },
    ackWaitMs: options.ackWaitMs ?? 30_000,
    logger: bus.logger.child({ consumer: options.durable, subject: options.subject }),
    metrics: options.metrics,
  };
}
