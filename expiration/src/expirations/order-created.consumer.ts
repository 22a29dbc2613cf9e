import { defineConsumer } from '@glotixz/common/bus';
import { orderCreatedSubject } from '@glotixz/common/events';
import type { ExpirationMetrics } from './expiration.metrics';
import { scheduleExpiry, type ExpirationQueue } from './expiration.queue';

/**
 * `order.created` → one delayed job for `expiresAt`. The handler returns (and the message is
 * acked) only once Redis holds the job; a repeat of the event finds the job id taken.
 */
export function orderCreatedConsumer(queue: ExpirationQueue, metrics: ExpirationMetrics) {
  return defineConsumer({
    subject: orderCreatedSubject,
    durable: 'expiration-order-created',
    handler: async (envelope, context) => {
      const { delayMs } = await scheduleExpiry(queue, envelope.data);
      metrics.ordersReceived.inc();
      context.logger.info(
        { orderId: envelope.data.id, expiresAt: envelope.data.expiresAt, delayMs },
        'order expiry scheduled',
      );
    },
  });
}
