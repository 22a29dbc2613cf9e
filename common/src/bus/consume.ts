import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { context as otelContext } from '@opentelemetry/api';
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { streamFor } from '../events';
import type { Envelope, Subject } from '../events';
import { backoffDelay } from './backoff';
import type { BackoffOptions } from './backoff';
import { messagingAttributes, startConsumerSpan, type ConsumerSpan } from './bus-tracing';
import type { ConsumeOptions, ConsumerBus, ConsumerHandle, MessageContext } from './consumer.types';
import { publishDeadLetter } from './dead-lettering';
import { decodeDelivery } from './delivery';
import { errorMessage, settleFailure, type FailurePolicy, type Settlement } from './failure-policy';
import { fromNatsHeaders } from './message';
import type { ConsumerMetrics, MessageOutcome } from './metrics';

export type {
  ConsumeOptions,
  ConsumerBus,
  ConsumerHandle,
  EventHandler,
  MessageContext,
} from './consumer.types';

const defaultBackoff: BackoffOptions = { baseMs: 200, capMs: 10_000 };
const restartDelayMs = 1_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One consumer's settings, with their defaults applied, and what it reports to. */
interface ConsumerSetup<S extends Subject> {
  bus: ConsumerBus;
  subject: S;
  durable: string;
  handler: ConsumeOptions<S>['handler'];
  policy: FailurePolicy;
  ackWaitMs: number;
  logger: Logger;
  metrics: ConsumerMetrics | undefined;
}

function resolveOptions<S extends Subject>(bus: ConsumerBus, options: ConsumeOptions<S>): ConsumerSetup<S> {
  const maxDeliver = options.maxDeliver ?? 5;
  if (maxDeliver < 1) throw new Error('maxDeliver must be at least 1');
  return {
    bus,
    subject: options.subject,
    durable: options.durable,
    handler: options.handler,
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

/**
 * Creates (or updates) the durable pull consumer. JetStream's own max_deliver stays unlimited:
 * only this wrapper decides when to give up, so a message is never dropped without a dead letter.
 */
async function provision<S extends Subject>(setup: ConsumerSetup<S>): Promise<Consumer> {
  const stream = setup.bus.streamName(streamFor(setup.subject));
  await setup.bus.jsm.consumers.add(stream, {
    durable_name: setup.durable,
    filter_subject: setup.bus.subjectFor(setup.subject),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: setup.ackWaitMs * 1_000_000,
    max_deliver: -1,
  });
  return setup.bus.js.consumers.get(stream, setup.durable);
}

/** Settles `msg` as decided, counts the outcome and closes the delivery's span. */
async function applySettlement<S extends Subject>(
  setup: ConsumerSetup<S>,
  msg: JsMsg,
  traced: ConsumerSpan,
  settlement: Settlement,
  error?: unknown,
): Promise<void> {
  let outcome: MessageOutcome;
  if (settlement.action === 'ack') {
    msg.ack();
    outcome = settlement.outcome;
  } else if (settlement.action === 'nak') {
    msg.nak(settlement.delayMs);
    outcome = settlement.outcome;
  } else {
    outcome = await deadLetter(setup, msg, settlement);
    error = settlement.error;
  }
  setup.metrics?.handled(setup.durable, setup.subject, outcome);
  traced.settle(outcome, outcome === 'acked' || outcome === 'duplicate' ? undefined : error);
}

/**
 * Terminates `msg` after publishing its dead letter; if the letter cannot be published, naks it
 * with backoff instead, so nothing is dropped without a letter.
 */
async function deadLetter<S extends Subject>(
  setup: ConsumerSetup<S>,
  msg: JsMsg,
  failure: Extract<Settlement, { action: 'dead-letter' }>,
): Promise<MessageOutcome> {
  try {
    await publishDeadLetter(setup.bus, setup.durable, msg, failure);
  } catch (err) {
    setup.logger.error({ err, seq: msg.seq }, 'could not dead-letter a message; will retry it');
    msg.nak(backoffDelay(msg.info.deliveryCount, setup.policy.backoff));
    return 'retried';
  }
  // No term reason: servers before 2.11 do not parse one, and the dead letter carries it anyway.
  msg.term();
  setup.logger.error(
    { seq: msg.seq, reason: failure.reason, deliveries: msg.info.deliveryCount, error: failure.error },
    'message dead-lettered',
  );
  return failure.reason === 'invalid' ? 'invalid' : 'dead_lettered';
}

/**
 * Runs the handler on a valid envelope, keeping the message's ack wait alive meanwhile, and
 * answers how to settle it and the error, if any.
 */
async function runHandler<S extends Subject>(
  setup: ConsumerSetup<S>,
  msg: JsMsg,
  envelope: Envelope<S>,
): Promise<{ settlement: Settlement; error?: unknown }> {
  let duplicate = false;
  const context: MessageContext = {
    consumer: setup.durable,
    eventId: envelope.id,
    deliveryCount: msg.info.deliveryCount,
    streamSequence: msg.seq,
    headers: fromNatsHeaders(msg.headers),
    logger: setup.logger.child({ eventId: envelope.id }),
    markDuplicate: () => {
      duplicate = true;
    },
  };
  const keepAlive = setInterval(() => msg.working(), Math.max(setup.ackWaitMs / 2, 100));
  const endTimer = setup.metrics?.startHandler(setup.durable);
  try {
    await setup.handler(envelope, context);
    return { settlement: { action: 'ack', outcome: duplicate ? 'duplicate' : 'acked' } };
  } catch (err) {
    const waitedMs = Date.now() - msg.info.timestampNanos / 1e6;
    const settlement = settleFailure(err, { deliveryCount: context.deliveryCount, waitedMs }, setup.policy);
    if (settlement.action === 'nak' && settlement.outcome === 'retry_later') {
      context.logger.debug({ delayMs: settlement.delayMs, reason: errorMessage(err) }, 'retry later');
    } else if (settlement.action === 'nak') {
      context.logger.warn({ err, delayMs: settlement.delayMs }, 'handler failed; will retry');
    }
    return { settlement, error: err };
  } finally {
    clearInterval(keepAlive);
    endTimer?.();
  }
}

/** Decides and settles one delivery: invalid messages are dead-lettered at once. */
async function settleDelivery<S extends Subject>(setup: ConsumerSetup<S>, msg: JsMsg, traced: ConsumerSpan) {
  if (msg.info.deliveryCount > 1) setup.metrics?.redelivered(setup.durable);
  const decoded = decodeDelivery(msg.string(), setup.subject);
  if (!decoded.valid) {
    await applySettlement(setup, msg, traced, {
      action: 'dead-letter',
      reason: 'invalid',
      error: decoded.error,
    });
    return;
  }
  traced.span.setAttribute(messagingAttributes.messageId, decoded.envelope.id);
  const { settlement, error } = await runHandler(setup, msg, decoded.envelope);
  await applySettlement(setup, msg, traced, settlement, error);
}

/**
 * Handles one delivery inside its CONSUMER span, which continues the trace in the message's
 * headers; whatever the handler enqueues carries that trace on.
 */
async function handleDelivery<S extends Subject>(setup: ConsumerSetup<S>, msg: JsMsg): Promise<void> {
  const traced = startConsumerSpan(setup.subject, fromNatsHeaders(msg.headers), {
    consumer: setup.durable,
    deliveryCount: msg.info.deliveryCount,
    streamSequence: msg.seq,
  });
  try {
    await otelContext.with(traced.context, () => settleDelivery(setup, msg, traced));
  } catch (err) {
    // Neither acked nor nak'd: JetStream redelivers it after ack_wait.
    traced.settle('retried', err);
    throw err;
  }
}

/** The pull loop of one consumer: restarts the subscription when it ends or fails, until stopped. */
class PullLoop<S extends Subject> {
  private stopping = false;
  private messages: ConsumerMessages | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly setup: ConsumerSetup<S>,
    private readonly consumer: Consumer,
    private readonly prefetch: number,
  ) {
    this.done = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.pullOnce();
      } catch (err) {
        if (this.stopping) break;
        this.setup.logger.error({ err }, 'consumer loop failed; restarting');
        await sleep(restartDelayMs);
      }
    }
  }

  private async pullOnce(): Promise<void> {
    const current = await this.consumer.consume({ max_messages: this.prefetch });
    this.messages = current;
    if (this.stopping) {
      await current.close();
      return;
    }
    for await (const msg of current) {
      if (this.stopping) {
        msg.nak();
        continue;
      }
      try {
        await handleDelivery(this.setup, msg);
      } catch (err) {
        this.setup.logger.error(
          { err, seq: msg.seq },
          'could not settle a message; JetStream will redeliver it',
        );
      }
    }
    if (!this.stopping) {
      this.setup.logger.warn('consumer iterator ended; restarting');
      await sleep(restartDelayMs);
    }
  }

  /** Stops pulling, waits for the handler in flight, and returns unhandled prefetched messages. */
  async stop(): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    await this.messages?.close();
    await this.done;
    this.setup.logger.info('consumer stopped');
  }
}

/** Provisions the durable pull consumer and starts its loop. Called by `Bus.consume`. */
export async function startConsumer<S extends Subject>(
  bus: ConsumerBus,
  options: ConsumeOptions<S>,
): Promise<ConsumerHandle> {
  const setup = resolveOptions(bus, options);
  const consumer = await provision(setup);
  const loop = new PullLoop(setup, consumer, options.prefetch ?? 10);
  setup.logger.info('consumer started');
  return { durable: setup.durable, stop: () => loop.stop() };
}
