import { context as otelContext } from '@opentelemetry/api';
import type { JsMsg } from '@nats-io/jetstream';
import type { Envelope, Subject } from '../events';
import { backoffDelay } from './backoff';
import { messagingAttributes, startConsumerSpan, type ConsumerSpan } from './bus-tracing';
import type { ConsumerSetup } from './consumer-setup';
import type { MessageContext } from './consumer.types';
import { publishDeadLetter } from './dead-lettering';
import { decodeDelivery } from './delivery';
import { errorMessage, settleFailure, type Settlement } from './failure-policy';
import { fromNatsHeaders } from './message';
import type { MessageOutcome } from './metrics';

/** A delivery being handled: its message, its CONSUMER span and, once decoded, its envelope. */
export interface OpenDelivery {
  msg: JsMsg;
  traced: ConsumerSpan;
}

/** A delivery whose body is a valid envelope, with the context its handler receives. */
export interface ValidDelivery<S extends Subject> extends OpenDelivery {
  envelope: Envelope<S>;
  context: MessageContext;
  /** True once the handler marked it a duplicate. */
  isDuplicate(): boolean;
}

/** Settles `msg` as decided, counts the outcome and closes the delivery's span. */
export async function applySettlement<S extends Subject>(
  setup: ConsumerSetup<S>,
  delivery: OpenDelivery,
  settlement: Settlement,
  error?: unknown,
): Promise<void> {
  const { msg, traced } = delivery;
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

/** The settlement of a handled delivery: acked (as a duplicate if marked so), or by the failure policy. */
export function settlementOf<S extends Subject>(
  setup: ConsumerSetup<S>,
  delivery: ValidDelivery<S>,
  failed: { error: unknown } | undefined,
): Settlement {
  if (!failed) return { action: 'ack', outcome: delivery.isDuplicate() ? 'duplicate' : 'acked' };
  const { msg, context } = delivery;
  const err = failed.error;
  const waitedMs = Date.now() - msg.info.timestampNanos / 1e6;
  const settlement = settleFailure(err, { deliveryCount: context.deliveryCount, waitedMs }, setup.policy);
  if (settlement.action === 'nak' && settlement.outcome === 'retry_later') {
    context.logger.debug({ delayMs: settlement.delayMs, reason: errorMessage(err) }, 'retry later');
  } else if (settlement.action === 'nak') {
    context.logger.warn({ err, delayMs: settlement.delayMs }, 'handler failed; will retry');
  }
  return settlement;
}

/** Keeps the ack wait of `msgs` alive while their handler runs; call the answer when it is done. */
export function keepAlive<S extends Subject>(setup: ConsumerSetup<S>, msgs: readonly JsMsg[]): () => void {
  const timer = setInterval(
    () => {
      for (const msg of msgs) msg.working();
    },
    Math.max(setup.ackWaitMs / 2, 100),
  );
  return () => clearInterval(timer);
}

/** Starts a delivery's CONSUMER span, which continues the trace in the message's headers. */
export function openDelivery<S extends Subject>(setup: ConsumerSetup<S>, msg: JsMsg): OpenDelivery {
  if (msg.info.deliveryCount > 1) setup.metrics?.redelivered(setup.durable);
  const traced = startConsumerSpan(setup.subject, fromNatsHeaders(msg.headers), {
    consumer: setup.durable,
    deliveryCount: msg.info.deliveryCount,
    streamSequence: msg.seq,
  });
  return { msg, traced };
}

/**
 * Decodes an open delivery: a valid one answers its envelope and handler context; an invalid one
 * is dead-lettered at once (retrying it cannot help) and answers `undefined`.
 */
export async function decodeOpen<S extends Subject>(
  setup: ConsumerSetup<S>,
  open: OpenDelivery,
): Promise<ValidDelivery<S> | undefined> {
  const { msg } = open;
  const decoded = decodeDelivery(msg.string(), setup.subject);
  if (!decoded.valid) {
    await applySettlement(setup, open, { action: 'dead-letter', reason: 'invalid', error: decoded.error });
    return undefined;
  }
  const { envelope } = decoded;
  open.traced.span.setAttribute(messagingAttributes.messageId, envelope.id);
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
  return { ...open, envelope, context, isDuplicate: () => duplicate };
}

/** Runs the handler on one valid delivery, in its trace context, and settles it. */
export async function handleAlone<S extends Subject>(
  setup: ConsumerSetup<S>,
  delivery: ValidDelivery<S>,
): Promise<void> {
  const stopKeepAlive = keepAlive(setup, [delivery.msg]);
  const endTimer = setup.metrics?.startHandler(setup.durable);
  let failed: { error: unknown } | undefined;
  try {
    await otelContext.with(delivery.traced.context, () => setup.handler(delivery.envelope, delivery.context));
  } catch (error) {
    failed = { error };
  } finally {
    stopKeepAlive();
    endTimer?.();
  }
  await settleWithin(setup, delivery, settlementOf(setup, delivery, failed), failed?.error);
}

/** Settles a delivery inside its trace context (a dead letter continues the message's trace). */
export function settleWithin<S extends Subject>(
  setup: ConsumerSetup<S>,
  delivery: OpenDelivery,
  settlement: Settlement,
  error?: unknown,
): Promise<void> {
  return otelContext.with(delivery.traced.context, () => applySettlement(setup, delivery, settlement, error));
}

/**
 * Runs `work` on an open delivery; if it throws before settling, closes the span as retried and
 * logs it: neither acked nor nak'd, JetStream redelivers the message after ack_wait.
 */
export async function guarded<S extends Subject>(
  setup: ConsumerSetup<S>,
  open: OpenDelivery,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (err) {
    open.traced.settle('retried', err);
    setup.logger.error({ err, seq: open.msg.seq }, 'could not settle a message; JetStream will redeliver it');
  }
}

/** Handles one delivery on its own inside its CONSUMER span: decode, handler, settlement. */
export async function handleDelivery<S extends Subject>(setup: ConsumerSetup<S>, msg: JsMsg): Promise<void> {
  const open = openDelivery(setup, msg);
  await guarded(setup, open, () =>
    otelContext.with(open.traced.context, async () => {
      const valid = await decodeOpen(setup, open);
      if (valid) await handleAlone(setup, valid);
    }),
  );
}
