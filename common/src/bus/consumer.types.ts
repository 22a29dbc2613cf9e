import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { Envelope, StreamName, Subject } from '../events';
import type { BackoffOptions } from './backoff';
import type { MessageHeaders, PublishRawOptions } from './message';
import type { ConsumerMetrics } from './metrics';

/** What a handler learns about the message besides its envelope. */
export interface MessageContext {
  /** The durable consumer name; also the inbox key. */
  consumer: string;
  /** The event's id (the envelope's `id`), e.g. to key an idempotent side effect. */
  eventId: string;
  /** 1 on the first delivery. */
  deliveryCount: number;
  streamSequence: number;
  /** NATS headers, e.g. trace context. */
  headers: MessageHeaders;
  /** A logger bound to the consumer, subject and event id. */
  logger: Logger;
  /** Marks the message as a repeat that was skipped (the inbox does this); it is still acked. */
  markDuplicate(): void;
}

/**
 * Handles one event; services do not write these by hand but declare their consumers with
 * `consumerTable`, which builds the handler (inbox, version order). Return to have it acked; throw {@link RetryLater} to have it redelivered after
 * a delay (for up to `retryLaterLimitMs`); throw anything else to have it retried with backoff and, after `maxDeliver` deliveries,
 * dead-lettered. Never ack yourself.
 */
export type EventHandler<S extends Subject> = (
  envelope: Envelope<S>,
  context: MessageContext,
) => Promise<void>;

/** One valid delivery of a batch, as {@link BatchHandler} receives it. */
export interface BatchEntry<S extends Subject> {
  envelope: Envelope<S>;
  context: MessageContext;
  /**
   * Runs `fn` in the delivery's own trace context (its CONSUMER span), so that what it enqueues
   * continues the message's trace, not a neighbour's.
   */
  within<T>(fn: () => Promise<T>): Promise<T>;
}

/** What became of one entry of a committed batch: applied, or failed with `error`. */
export type BatchEntryOutcome = { ok: true } | { ok: false; error: unknown };

/**
 * Applies several deliveries as one unit of work (one transaction), each isolated from the others
 * (a savepoint), and answers, once the unit has committed, one outcome per entry in order. An
 * entry that failed left nothing behind, and is settled like a handler that threw that error
 * (retry with backoff, {@link RetryLater}, dead letter); the others are acked. When the unit as a
 * whole fails (the commit throws), it rejects: nothing of it is acked, and each delivery is handled
 * again on its own by `handler`.
 */
export type BatchHandler<S extends Subject> = (
  entries: readonly BatchEntry<S>[],
) => Promise<BatchEntryOutcome[]>;

/** Options of `Bus.consume`. */
export interface ConsumeOptions<S extends Subject> {
  /** The one subject this consumer receives (NATS 2.9 allows one filter subject). */
  subject: S;
  /**
   * Durable consumer name, unique per service and subject, e.g. `orders-ticket-created`; a
   * declared consumer gets it from `durableNameFor(service, subject)`.
   */
  durable: string;
  handler: EventHandler<S>;
  /** Deliveries of a failing message before it is dead-lettered. Default 5. */
  maxDeliver?: number;
  /**
   * How long a message may keep asking to be retried later ({@link RetryLater}, e.g. a replica
   * waiting for a predecessor that never comes) before it is dead-lettered as failed. Measured
   * from when the stream stored it. Default 24 h.
   */
  retryLaterLimitMs?: number;
  /** Delay before redelivering a failed message. Default 200 ms doubling up to 10 s. */
  backoff?: BackoffOptions;
  /** How long JetStream waits for an ack; kept alive while the handler runs. Default 30 s. */
  ackWaitMs?: number;
  /** Messages pulled ahead of the handler. Default 100. */
  prefetch?: number;
  /**
   * Applies several deliveries together; see {@link BatchHandler}. Without it (a consumer with no
   * database that declares no `handleBatch`) every delivery runs `handler` on its own.
   */
  batch?: BatchHandler<S>;
  /**
   * The most deliveries handed to `batch` at once: as many as have arrived, up to this, never
   * waiting for more. Default 50; 1 handles every delivery on its own. Keep it under 64 for a
   * database batch: past 64 written subtransactions (one per savepoint) a Postgres backend's
   * subtransaction cache overflows, which slows snapshots server-wide.
   */
  maxBatch?: number;
  /** Where outcomes, redeliveries and handler time are counted; see {@link createConsumerMetrics}. */
  metrics?: ConsumerMetrics;
}

/** A running consumer. */
export interface ConsumerHandle {
  readonly durable: string;
  /** Stops pulling, waits for the handler in flight, and returns unhandled prefetched messages. */
  stop(): Promise<void>;
}

/** What a consumer's loop uses of the `Bus` that starts it (the bus passes itself). */
export interface ConsumerBus {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly logger: Logger;
  streamName(stream: StreamName): string;
  subjectFor(subject: string): string;
  logicalSubject(natsSubject: string): string;
  publishRaw(subject: string, payload: string | Uint8Array, options: PublishRawOptions): Promise<unknown>;
}
