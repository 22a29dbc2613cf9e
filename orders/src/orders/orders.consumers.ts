import { inboxHandler, type EventHandler } from '@glotixz/common/bus';
import type { expirationCompletedSubject, paymentSucceededSubject } from '@glotixz/common/events';
import type { OrdersDb } from '../db/db';
import { ordersRepo } from './orders.repo';

/**
 * `expiration.completed`: cancels the order if it still awaits payment (`order.cancelled`). A paid
 * or already cancelled order is left alone.
 */
export function onExpirationCompleted(db: OrdersDb): EventHandler<typeof expirationCompletedSubject> {
  return inboxHandler(db, async (envelope, tx, context) => {
    const { orderId } = envelope.data;
    const cancelled = await ordersRepo.cancelAwaitingPayment(tx, orderId);
    context.logger.info(
      { orderId, cancelled: cancelled !== null },
      cancelled ? 'expired order cancelled' : 'expiry ignored: order not awaiting payment',
    );
  });
}

/**
 * `payment.succeeded`: completes the order if it still awaits payment (`order.completed`). For a
 * cancelled order it does nothing: payments refunds a payment whose order was cancelled (I6).
 */
export function onPaymentSucceeded(db: OrdersDb): EventHandler<typeof paymentSucceededSubject> {
  return inboxHandler(db, async (envelope, tx, context) => {
    const { orderId, id: paymentId } = envelope.data;
    const completed = await ordersRepo.completeAwaitingPayment(tx, orderId);
    context.logger.info(
      { orderId, paymentId, completed: completed !== null },
      completed ? 'paid order completed' : 'payment ignored: order not awaiting payment',
    );
  });
}
