import type { TransactionalConsumer } from '@glotixz/common/bus';
import {
  expirationCompletedSubject,
  paymentRefundedSubject,
  paymentSucceededSubject,
} from '@glotixz/common/events';
import type { OrdersTx } from '../db/db';
import type { OrderRow } from '../db/schema';
import type { ETicketSigner } from '../etickets/eticket-signer';
import type { OrdersMetrics } from './orders.metrics';
import { ordersRepo } from './orders.repo';

/**
 * `expiration.completed`: cancels the order if it still awaits payment (`order.cancelled`) and
 * counts it expired once that committed. A paid or already cancelled order is left alone.
 */
export function expirationCompletedConsumer(
  metrics: Pick<OrdersMetrics, 'expired'>,
): TransactionalConsumer<typeof expirationCompletedSubject, OrdersTx, OrderRow | null> {
  return {
    subject: expirationCompletedSubject,
    order: 'none',
    handle: (tx, { orderId }) => ordersRepo.cancelAwaitingPayment(tx, orderId, 'expired'),
    afterCommit(cancelledOrder, { orderId }, context) {
      const cancelled = cancelledOrder !== null;
      if (cancelled) metrics.expired.inc({ source: 'expiration' });
      context.logger.info(
        { orderId, cancelled },
        cancelled ? 'expired order cancelled' : 'expiry ignored: order not awaiting payment',
      );
    },
  };
}

/**
 * `payment.succeeded`: completes the order if it still awaits payment, minting its e-ticket with
 * `signer` in the same transaction (`order.completed` carries it), and counts it once that
 * committed. For a cancelled order it does nothing: payments refunds a payment whose order was
 * cancelled (I6).
 */
export function paymentSucceededConsumer(
  signer: ETicketSigner,
  metrics: Pick<OrdersMetrics, 'completed'>,
): TransactionalConsumer<typeof paymentSucceededSubject, OrdersTx, OrderRow | null> {
  return {
    subject: paymentSucceededSubject,
    order: 'none',
    handle: (tx, { orderId }) => ordersRepo.completeAwaitingPayment(tx, orderId, signer),
    afterCommit(completedOrder, { orderId, id: paymentId }, context) {
      const completed = completedOrder !== null;
      if (completed) metrics.completed.inc();
      context.logger.info(
        { orderId, paymentId, completed },
        completed ? 'paid order completed' : 'payment ignored: order not awaiting payment',
      );
    },
  };
}

/**
 * `payment.refunded`: marks the order refunded (from complete, voiding its e-ticket, or from
 * cancelled); a repeat, or a refund of an order already refunded, changes nothing.
 */
export const paymentRefundedConsumer: TransactionalConsumer<
  typeof paymentRefundedSubject,
  OrdersTx,
  OrderRow | null
> = {
  subject: paymentRefundedSubject,
  order: 'none',
  handle: (tx, { orderId }) => ordersRepo.markRefunded(tx, orderId),
  afterCommit(refundedOrder, { orderId, id: paymentId }, context) {
    const refunded = refundedOrder !== null;
    context.logger.info(
      { orderId, paymentId, refunded },
      refunded ? 'order refunded' : 'refund ignored: order not complete or cancelled',
    );
  },
};
