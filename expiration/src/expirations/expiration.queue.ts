import { idSchema, isoUtcSchema } from '@glotixz/common/events';
import { traceHeaders } from '@glotixz/common/tracing';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * What an expiry job carries: the order, when its reservation window ends and the trace context
 * of the `order.created` delivery that scheduled it, so the expiry continues the order's trace.
 */
export const expiryJobDataSchema = z.object({
  orderId: idSchema,
  expiresAt: isoUtcSchema,
  trace: z.record(z.string(), z.string()).optional(),
});

/** What an expiry job carries. */
export type ExpiryJobData = z.infer<typeof expiryJobDataSchema>;

/** What a finished expiry job stores: where JetStream put the event. */
export interface ExpiryJobResult {
  eventId: string;
  stream: string;
  seq: number;
  /** JetStream already had the event: an earlier attempt published it. */
  duplicate: boolean;
}

/** The name of every job in the queue. */
export const expiryJobName = 'expire-order';

/** The queue of expiry jobs, one per order, keyed by the order id. */
export type ExpirationQueue = Queue<ExpiryJobData, ExpiryJobResult, typeof expiryJobName>;

/** Where the queue lives in Redis. */
export interface ExpirationQueueOptions {
  /** The BullMQ queue name (`QUEUE_NAME`). */
  name: string;
  /** The BullMQ key prefix (`QUEUE_PREFIX`). */
  prefix: string;
}

const hour = 3600;

/**
 * Retry and retention of every expiry job. A job only completes after JetStream's PubAck, so
 * while NATS is unreachable it is retried with exponential backoff (1 s, 2 s, 4 s … about 34 min in
 * all; the orders sweeper cancels overdue orders long before that, I5). Finished jobs are kept
 * for a day so that a late redelivery of `order.created` finds the job id taken and adds nothing.
 */
export const expiryJobOptions = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.2 },
  removeOnComplete: { age: 24 * hour, count: 50_000 },
  removeOnFail: { age: 7 * 24 * hour },
} as const satisfies JobsOptions;

/**
 * The queue the `order.created` consumer adds to. It shares the caller's Redis connection (which
 * it leaves open on close).
 */
export function createExpirationQueue(redis: Redis, options: ExpirationQueueOptions): ExpirationQueue {
  return new Queue<ExpiryJobData, ExpiryJobResult, typeof expiryJobName>(options.name, {
    connection: redis,
    prefix: options.prefix,
  });
}

/** The outcome of {@link scheduleExpiry}. */
export interface ScheduledExpiry {
  jobId: string;
  /** Milliseconds until the job fires; 0 for an order already overdue. */
  delayMs: number;
}

/** The job of one order's expiry, due at `expiresAt`, with the active trace context. */
function expiryJob(order: { id: string; expiresAt: string }, now: number) {
  const delayMs = Math.max(0, Date.parse(order.expiresAt) - now);
  const trace = traceHeaders();
  return {
    name: expiryJobName,
    data: { orderId: order.id, expiresAt: order.expiresAt, ...(trace.traceparent ? { trace } : {}) },
    // The job's timestamp and delay share one clock reading, so it is due exactly at expiresAt.
    opts: { ...expiryJobOptions, jobId: order.id, timestamp: now, delay: delayMs },
  } satisfies { name: typeof expiryJobName; data: ExpiryJobData; opts: JobsOptions };
}

/**
 * Stores the delayed job that fires at `expiresAt`, with the active trace context. The job id is
 * the order id, so scheduling the same order again (a redelivered `order.created`) adds nothing
 * and leaves the first delay as it was. Resolves once Redis has the job.
 */
export async function scheduleExpiry(
  queue: ExpirationQueue,
  order: { id: string; expiresAt: string },
  now: number = Date.now(),
): Promise<ScheduledExpiry> {
  const { name, data, opts } = expiryJob(order, now);
  const job = await queue.add(name, data, opts);
  return { jobId: job.id ?? order.id, delayMs: opts.delay };
}

/**
 * {@link scheduleExpiry} for several orders in one round trip to Redis (one MULTI), each job in
 * the trace context `within` gives it; all or none are stored. Answers one outcome per order.
 */
export async function scheduleExpiries(
  queue: ExpirationQueue,
  orders: readonly {
    order: { id: string; expiresAt: string };
    within: <R>(fn: () => Promise<R>) => Promise<R>;
  }[],
  now: number = Date.now(),
): Promise<ScheduledExpiry[]> {
  const jobs = await Promise.all(
    orders.map(({ order, within }) => within(() => Promise.resolve(expiryJob(order, now)))),
  );
  const added = await queue.addBulk(jobs);
  return jobs.map((job, index) => ({ jobId: added[index]?.id ?? job.opts.jobId, delayMs: job.opts.delay }));
}
