import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { context as otelContext } from '@opentelemetry/api';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { deadLetterSubject, safeParseEnvelope, streamFor } from '../events';
import type { Envelope, StreamName, Subject } from '../events';
import { traceHeaders } from '../tracing/propagation';
import { backoffDelay } from './backoff';
import type { BackoffOptions } from './backoff';
import { messagingAttributes, startConsumerSpan, type ConsumerSpan } from './bus-tracing';
import type { DeadLetter } from './dead-letter';
import { fromNatsHeaders, type MessageHeaders, type PublishRawOptions } from './message';
import type { ConsumerMetrics, MessageOutcome } from './metrics';
import { RetryLater } from './retry-later.error';

/** What a handler learns about the message besides its envelope. */
export interface MessageContext {
  /** The durable consumer name; also the inbox key of {@link inboxHandler}. */
  consumer: string;
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
 * Handles one event. Return to have it acked; throw {@link RetryLater} to have it redelivered after
 * a delay (for up to `retryLaterLimitMs`); throw anything else to have it retried with backoff and, after `maxDeliver` deliveries,
 * dead-lettered. Never ack yourself.
 */
export type EventHandler<S extends Subject> = (
  envelope: Envelope<S>,
  context: MessageContext,
) => Promise<void>;

/** Options of `Bus.consume`. */
export interface ConsumeOptions<S extends Subject> {
  /** The one subject this consumer receives (NATS 2.9 allows one filter subject). */
  subject: S;
  /** Durable consumer name, unique per service and subject, e.g. `orders-ticket-created`. */
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
  /** Messages pulled ahead of the handler. Default 10. */
  prefetch?: number;
  /** Where outcomes, redeliveries and handler time are counted; see {@link createConsumerMetrics}. */
  metrics?: ConsumerMetrics;
}

/** A running consumer. */
export interface ConsumerHandle {
  readonly durable: string;
  /** Stops pulling, waits for the handler in flight, and returns unhandled prefetched messages. */
  stop(): Promise<void>;
}

const defaultBackoff: BackoffOptions = { baseMs: 200, capMs: 10_000 };
const restartDelayMs = 1_000;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

/** Provisions the durable pull consumer and starts its loop. Called by `Bus.consume`. */
export async function startConsumer<S extends Subject>(
  bus: ConsumerBus,
  options: ConsumeOptions<S>,
): Promise<ConsumerHandle> {
  const { subject, durable, handler } = options;
  const maxDeliver = options.maxDeliver ?? 5;
  const retryLaterLimitMs = options.retryLaterLimitMs ?? 24 * 60 * 60 * 1000;
  const backoff = options.backoff ?? defaultBackoff;
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const stream = bus.streamName(streamFor(subject));
  const logger = bus.logger.child({ consumer: durable, subject });
  const metrics = options.metrics;
  const count = (outcome: MessageOutcome) => metrics?.handled(durable, subject, outcome);
  /** Counts the outcome of a delivery and closes its span. */
  type Settle = (outcome: MessageOutcome, error?: unknown) => void;
  const settler =
    (traced: ConsumerSpan): Settle =>
    (outcome, error) => {
      count(outcome);
      traced.settle(outcome, error);
    };
  if (maxDeliver < 1) throw new Error('maxDeliver must be at least 1');

  // JetStream's own max_deliver stays unlimited: only this wrapper decides when to give up, so a
  // message is never dropped without a dead letter.
  await bus.jsm.consumers.add(stream, {
    durable_name: durable,
    filter_subject: bus.subjectFor(subject),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ackWaitMs * 1_000_000,
    max_deliver: -1,
  });
  const consumer = await bus.js.consumers.get(stream, durable);

  let stopping = false;
  let messages: ConsumerMessages | undefined;

  /** Publishes the dead letter inside the delivery's span, so it keeps the message's trace. */
  async function deadLetter(msg: JsMsg, reason: DeadLetter['reason'], error: string): Promise<void> {
    const letter: DeadLetter = {
      reason,
      consumer: durable,
      subject: bus.logicalSubject(msg.subject),
      streamSequence: msg.seq,
      deliveries: msg.info.deliveryCount,
      error,
      payload: msg.string(),
      headers: fromNatsHeaders(msg.headers),
      failedAt: new Date().toISOString(),
    };
    await bus.publishRaw(deadLetterSubject(durable), JSON.stringify(letter), {
      msgID: `${durable}:${msg.seq}`,
      headers: traceHeaders(),
    });
  }

  async function giveUp(
    msg: JsMsg,
    reason: DeadLetter['reason'],
    error: string,
    settle: Settle,
  ): Promise<void> {
    try {
      await deadLetter(msg, reason, error);
    } catch (err) {
      logger.error({ err, seq: msg.seq }, 'could not dead-letter a message; will retry it');
      msg.nak(backoffDelay(msg.info.deliveryCount, backoff));
      settle('retried', err);
      return;
    }
    // No term reason: servers before 2.11 do not parse one, and the dead letter carries it anyway.
    msg.term();
    settle(reason === 'invalid' ? 'invalid' : 'dead_lettered', error);
    logger.error(
      { seq: msg.seq, reason, deliveries: msg.info.deliveryCount, error },
      'message dead-lettered',
    );
  }

  /**
   * Handles one delivery inside its CONSUMER span, which continues the trace in the message's
   * headers; whatever the handler enqueues carries that trace on.
   */
  async function handle(msg: JsMsg): Promise<void> {
    const headers = fromNatsHeaders(msg.headers);
    const traced = startConsumerSpan(subject, headers, {
      consumer: durable,
      deliveryCount: msg.info.deliveryCount,
      streamSequence: msg.seq,
    });
    try {
      await otelContext.with(traced.context, () => settle(msg, headers, settler(traced), traced));
    } catch (err) {
      // Neither acked nor nak'd: JetStream redelivers it after ack_wait.
      traced.settle('retried', err);
      throw err;
    }
  }

  async function settle(
    msg: JsMsg,
    headers: MessageHeaders,
    settled: Settle,
    traced: ConsumerSpan,
  ): Promise<void> {
    const deliveryCount = msg.info.deliveryCount;
    if (deliveryCount > 1) metrics?.redelivered(durable);
    let raw: unknown;
    try {
      raw = JSON.parse(msg.string());
    } catch (err) {
      await giveUp(msg, 'invalid', `invalid JSON: ${errorMessage(err)}`, settled);
      return;
    }
    const parsed = safeParseEnvelope(raw);
    if (!parsed.success) {
      await giveUp(msg, 'invalid', parsed.error, settled);
      return;
    }
    if (parsed.envelope.subject !== subject) {
      await giveUp(
        msg,
        'invalid',
        `envelope subject "${parsed.envelope.subject}" on a ${subject} consumer`,
        settled,
      );
      return;
    }
    const envelope = parsed.envelope as Envelope<S>;
    traced.span.setAttribute(messagingAttributes.messageId, envelope.id);
    let duplicate = false;
    const context: MessageContext = {
      consumer: durable,
      deliveryCount,
      streamSequence: msg.seq,
      headers,
      logger: logger.child({ eventId: envelope.id }),
      markDuplicate: () => {
        duplicate = true;
      },
    };
    const keepAlive = setInterval(() => msg.working(), Math.max(ackWaitMs / 2, 100));
    const endTimer = metrics?.startHandler(durable);
    try {
      await handler(envelope, context);
    } catch (err) {
      clearInterval(keepAlive);
      endTimer?.();
      const waitedMs = Date.now() - msg.info.timestampNanos / 1e6;
      if (err instanceof RetryLater && waitedMs >= retryLaterLimitMs) {
        await giveUp(
          msg,
          'failed',
          `still waiting after ${Math.round(waitedMs / 1000)} s: ${err.message}`,
          settled,
        );
      } else if (err instanceof RetryLater) {
        context.logger.debug({ delayMs: err.delayMs, deliveryCount, reason: err.message }, 'retry later');
        msg.nak(err.delayMs);
        settled('retry_later');
      } else if (deliveryCount >= maxDeliver) {
        await giveUp(msg, 'failed', errorMessage(err), settled);
      } else {
        const delayMs = backoffDelay(deliveryCount, backoff);
        context.logger.warn({ err, deliveryCount, delayMs }, 'handler failed; will retry');
        msg.nak(delayMs);
        settled('retried', err);
      }
      return;
    }
    clearInterval(keepAlive);
    endTimer?.();
    msg.ack();
    settled(duplicate ? 'duplicate' : 'acked');
  }

  async function run(): Promise<void> {
    while (!stopping) {
      try {
        const current = await consumer.consume({ max_messages: options.prefetch ?? 10 });
        messages = current;
        if (stopping) {
          await current.close();
          break;
        }
        for await (const msg of current) {
          if (stopping) {
            msg.nak();
            continue;
          }
          try {
            await handle(msg);
          } catch (err) {
            logger.error({ err, seq: msg.seq }, 'could not settle a message; JetStream will redeliver it');
          }
        }
        if (!stopping) {
          logger.warn('consumer iterator ended; restarting');
          await sleep(restartDelayMs);
        }
      } catch (err) {
        if (stopping) break;
        logger.error({ err }, 'consumer loop failed; restarting');
        await sleep(restartDelayMs);
      }
    }
  }

  const loop = run();
  logger.info('consumer started');
  return {
    durable,
    stop: async () => {
      if (stopping) return loop;
      stopping = true;
      await messages?.close();
      await loop;
      logger.info('consumer stopped');
    },
  };
}
