import { backoffDelay, handleOnce, inboxHandler, RetryLater, type EventHandler } from '@glotixz/common/bus';
import type {
  orderCancelledSubject,
  orderCompletedSubject,
  orderCreatedSubject,
} from '@glotixz/common/events';
import type { MessageContext } from '@glotixz/common/bus';
import type { PaymentsDb, PaymentsTx } from '../db/db';
import type { OrderStatus } from '../db/schema';
import { paymentsRepo } from '../payments/payments.repo';
import type { RefundTrigger } from '../refunds/refund-worker';
import { ordersRepo } from './orders.repo';

/** How long an early order event waits before it is tried again: 250 ms doubling up to 5 s. */
const predecessorBackoff = { baseMs: 250, capMs: 5_000 };

/**
 * Applies `status` at `version` on top of `version - 1` (I3): an older or repeated version is
 * acked as already seen; a newer one is redelivered later, until its predecessor has arrived.
 */
async function applyStatus(
  tx: PaymentsTx,
  change: { id: string; version: number; status: OrderStatus },
  context: MessageContext,
): Promise<boolean> {
  const outcome = await ordersRepo.applyStatus(tx, change);
  if (outcome === 'predecessor-missing') {
    // Throwing rolls the inbox row back too, so the redelivery is handled as new.
    throw new RetryLater(
      backoffDelay(context.deliveryCount, predecessorBackoff),
      `order ${change.id} v${change.version} arrived before v${change.version - 1}`,
    );
  }
  context.logger.debug({ orderId: change.id, version: change.version, outcome }, `order ${change.status}`);
  return outcome === 'applied';
}

/** `order.created`: copies the order (amount, currency, buyer, expiry) into the replica. */
export function onOrderCreated(db: PaymentsDb): EventHandler<typeof orderCreatedSubject> {
  return inboxHandler(db, async (envelope, tx, context) => {
    const inserted = await ordersRepo.insertCreated(tx, envelope.data);
    context.logger.debug({ orderId: envelope.data.id, inserted }, 'order.created handled');
  });
}

/**
 * `order.cancelled`: marks the replica cancelled, so a payment that succeeds from now on is
 * refunded; a payment that already succeeded becomes `refund_pending` at once (I6): orders ignored
 * it because the cancellation won the race. An open payment is left to the reconciler's next pass.
 */
export function onOrderCancelled(
  db: PaymentsDb,
  refunds: RefundTrigger,
): EventHandler<typeof orderCancelledSubject> {
  return async (envelope, context) => {
    const { id, version } = envelope.data;
    const outcome = await handleOnce(db, context.consumer, envelope, async (tx) => {
      if (!(await applyStatus(tx, { id, version, status: 'cancelled' }, context))) return null;
      await paymentsRepo.reconcileSoon(tx, id);
      return paymentsRepo.markRefundDue(tx, id);
    });
    if (outcome.duplicate || !outcome.result) return;
    context.logger.warn(
      { orderId: id, paymentId: outcome.result.id },
      'order cancelled after its payment succeeded; refunding',
    );
    refunds.wake();
  };
}

/** `order.completed`: marks the replica complete; paying it again answers `ORDER_ALREADY_PAID`. */
export function onOrderCompleted(db: PaymentsDb): EventHandler<typeof orderCompletedSubject> {
  return inboxHandler(db, async (envelope, tx, context) => {
    await applyStatus(
      tx,
      { id: envelope.data.id, version: envelope.data.version, status: 'complete' },
      context,
    );
  });
}
