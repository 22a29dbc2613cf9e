import type { TransactionalConsumer } from '@glotixz/common/bus';
import { orderCancelledSubject, orderCompletedSubject, orderCreatedSubject } from '@glotixz/common/events';
import type { PaymentsTx } from '../db/db';
import { orders, type PaymentRow } from '../db/schema';
import { paymentsRepo } from '../payments/payments.repo';
import type { RefundTrigger } from '../refunds/refund-worker';
import { ordersRepo } from './orders.repo';

/** `order.created`: copies the order (amount, currency, buyer, expiry) into the replica. */
export const orderCreatedConsumer: TransactionalConsumer<typeof orderCreatedSubject, PaymentsTx, void> = {
  subject: orderCreatedSubject,
  order: 'none',
  async handle(tx, data) {
    await ordersRepo.insertCreated(tx, data);
  },
};

/**
 * `order.cancelled`, in version order (I3): marks the replica cancelled, so a payment that
 * succeeds from now on is refunded; a payment that already succeeded becomes `refund_pending` at
 * once (I6): orders ignored it because the cancellation won the race, and the refund worker is
 * woken once that committed. An open payment is left to the reconciler's next pass.
 */
export function orderCancelledConsumer(
  refunds: RefundTrigger,
): TransactionalConsumer<typeof orderCancelledSubject, PaymentsTx, PaymentRow | null> {
  return {
    subject: orderCancelledSubject,
    order: 'version',
    replica: orders,
    async handle(tx, { id, version }) {
      const applied = await ordersRepo.applyStatus(tx, { id, version, status: 'cancelled' });
      if (!applied) return null;
      await paymentsRepo.reconcileSoon(tx, id);
      return paymentsRepo.markRefundDue(tx, id);
    },
    afterCommit(refundDue, { id }, context) {
      if (!refundDue) return;
      context.logger.warn(
        { orderId: id, paymentId: refundDue.id },
        'order cancelled after its payment succeeded; refunding',
      );
      refunds.wake();
    },
  };
}

/**
 * `order.completed`, in version order (I3): marks the replica complete; paying it again answers
 * `ORDER_ALREADY_PAID`.
 */
export const orderCompletedConsumer: TransactionalConsumer<typeof orderCompletedSubject, PaymentsTx, void> = {
  subject: orderCompletedSubject,
  order: 'version',
  replica: orders,
  async handle(tx, { id, version }) {
    await ordersRepo.applyStatus(tx, { id, version, status: 'complete' });
  },
};
