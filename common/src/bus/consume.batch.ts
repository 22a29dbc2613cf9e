import { context as otelContext } from '@opentelemetry/api';
import type { JsMsg } from '@nats-io/jetstream';
import type { Subject } from '../events';
import type { ConsumerSetup } from './consumer-setup';
import type { BatchEntry, BatchEntryOutcome, BatchHandler } from './consumer.types';
import {
  decodeOpen,
  guarded,
  handleAlone,
  handleDelivery,
  keepAlive,
  openDelivery,
  settlementOf,
  settleWithin,
  type ValidDelivery,
} from './delivery-settlement';

function entryOf<S extends Subject>(delivery: ValidDelivery<S>): BatchEntry<S> {
  return {
    envelope: delivery.envelope,
    context: delivery.context,
    within: (fn) => otelContext.with(delivery.traced.context, fn),
  };
}

/**
 * Runs the batch handler over `deliveries`, timing each as its handler ran for the whole batch.
 * Answers the outcomes, or `undefined` when the unit failed as a whole (nothing committed).
 */
async function runBatch<S extends Subject>(
  setup: ConsumerSetup<S>,
  batch: BatchHandler<S>,
  deliveries: readonly ValidDelivery<S>[],
): Promise<BatchEntryOutcome[] | undefined> {
  const stopKeepAlive = keepAlive(
    setup,
    deliveries.map((d) => d.msg),
  );
  const endTimers = deliveries.map(() => setup.metrics?.startHandler(setup.durable));
  try {
    const outcomes = await batch(deliveries.map(entryOf));
    if (outcomes.length !== deliveries.length) {
      throw new Error(
        `the batch handler answered ${outcomes.length} outcomes for ${deliveries.length} entries`,
      );
    }
    return outcomes;
  } catch (err) {
    setup.logger.warn(
      { err, size: deliveries.length },
      'batch failed as a whole; handling its messages one by one',
    );
    return undefined;
  } finally {
    stopKeepAlive();
    for (const end of endTimers) end?.();
  }
}

/** Settles each delivery of a committed batch by its outcome, in order. */
async function settleBatch<S extends Subject>(
  setup: ConsumerSetup<S>,
  deliveries: readonly ValidDelivery<S>[],
  outcomes: readonly BatchEntryOutcome[],
): Promise<void> {
  for (const [index, delivery] of deliveries.entries()) {
    const outcome = outcomes[index];
    const failed = outcome && !outcome.ok ? { error: outcome.error } : undefined;
    await guarded(setup, delivery, () =>
      settleWithin(setup, delivery, settlementOf(setup, delivery, failed), failed?.error),
    );
  }
}

/** Opens and decodes each message; invalid ones are dead-lettered on the way. */
async function validDeliveries<S extends Subject>(
  setup: ConsumerSetup<S>,
  msgs: readonly JsMsg[],
): Promise<ValidDelivery<S>[]> {
  const valid: ValidDelivery<S>[] = [];
  for (const msg of msgs) {
    const open = openDelivery(setup, msg);
    await guarded(setup, open, async () => {
      const decoded = await otelContext.with(open.traced.context, () => decodeOpen(setup, open));
      if (decoded) valid.push(decoded);
    });
  }
  return valid;
}

/**
 * Handles the deliveries that arrived together (I2 per message): with a batch handler and more
 * than one message, their handlers run as one unit and each is settled after it committed (a
 * success acked, a failure by the failure policy); if the unit fails as a whole, nothing of it is
 * acked and each message is handled again on its own. Without a batch handler, or for one
 * message, each is handled on its own as it always was. Each message keeps its own CONSUMER span,
 * outcome and metrics.
 */
export async function handleDeliveries<S extends Subject>(
  setup: ConsumerSetup<S>,
  msgs: readonly JsMsg[],
): Promise<void> {
  const { batch } = setup;
  if (!batch || msgs.length === 1) {
    for (const msg of msgs) await handleDelivery(setup, msg);
    return;
  }
  const deliveries = await validDeliveries(setup, msgs);
  if (deliveries.length === 0) return;
  const outcomes = deliveries.length > 1 ? await runBatch(setup, batch, deliveries) : undefined;
  if (outcomes) {
    await settleBatch(setup, deliveries, outcomes);
    return;
  }
  for (const delivery of deliveries) await guarded(setup, delivery, () => handleAlone(setup, delivery));
}
