import { handleOnce, type EventHandler } from '@glotixz/common/bus';
import type { expirationCompletedSubject, paymentSucceededSubject } from '@glotixz/common/events';
import type { OrdersDb } from '../db/db';
import type { OrdersMetrics } from './orders.metrics';
import { ordersRepo } from './orders.repo';

/**
 * `expiration.completed`: cancels the order if it still awaits payment (`order.cancelled`) and
 * counts it expired once that committed. A paid or already cancelled order is left alone.
 */
export function onExpirationCompleted(
  db: OrdersDb,
  metrics: Pick<OrdersMetrics, 'expired'>,
): EventHandler<typeof expirationCompletedSubject> {
  return async (envelope, context) => {
    const { orderId } = envelope.data;
    const outcome = await handleOnce(db, context.consumer, envelope, (tx) =>
      ordersRepo.cancelAwaitingPayment(tx, orderId, 'expired'),
    );
    if (outcome.duplicate) {
      context.markDuplicate();
      return;
    }
    const cancelled = outcome.result !== null;
    if (cancelled) metrics.expired.inc({ source: 'expiration' });
    context.logger.info(
      { orderId, cancelled },
      cancelled ? 'expired order cancelled' : 'expiry ignored: order not awaiting payment',
    );
  };
}

/**
 * `payment.succeeded`: completes the order if it still awaits payment (`order.completed`) and
 * counts it once that committed. For a cancelled order it does nothing: payments refunds a payment
 * whose order was cancelled (I6).
 */
export function onPaymentSucceeded(
  db: OrdersDb,
  metrics: Pick<OrdersMetrics, 'completed'>,
): EventHandler<typeof paymentSucceededSubject> {
  return async (envelope, context) => {
    const { orderId, id: paymentId } = envelope.data;
    const outcome = await handleOnce(db, context.consumer, envelope, (tx) =>
      ordersRepo.completeAwaitingPayment(tx, orderId),
    );
    if (outcome.duplicate) {
      context.markDuplicate();
      return;
    }
    const completed = outcome.result !== null;
    if (completed) metrics.completed.inc();
    context.logger.info(
      { orderId, paymentId, completed },
      completed ? 'paid order completed' : 'payment ignored: order not awaiting payment',
    );
  };
}
