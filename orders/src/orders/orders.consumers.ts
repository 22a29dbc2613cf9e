import type { TransactionalConsumer } from '@glotixz/common/bus';
import { expirationCompletedSubject, paymentSucceededSubject } from '@glotixz/common/events';
import type { OrdersTx } from '../db/db';
import type { OrderRow } from '../db/schema';
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
 * `payment.succeeded`: completes the order if it still awaits payment (`order.completed`) and
 * counts it once that committed. For a cancelled order it does nothing: payments refunds a payment
 * whose order was cancelled (I6).
 */
export function paymentSucceededConsumer(
  metrics: Pick<OrdersMetrics, 'completed'>,
): TransactionalConsumer<typeof paymentSucceededSubject, OrdersTx, OrderRow | null> {
  return {
    subject: paymentSucceededSubject,
    order: 'none',
    handle: (tx, { orderId }) => ordersRepo.completeAwaitingPayment(tx, orderId),
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
