import type { PlainConsumer } from '@glotixz/common/bus';
import { orderCreatedSubject } from '@glotixz/common/events';
import type { ExpirationMetrics } from './expiration.metrics';
import { scheduleExpiry, type ExpirationQueue } from './expiration.queue';

/**
 * `order.created` → one delayed job for `expiresAt`. The service has no database, so no inbox:
 * the job is keyed by the order, and a repeat of the event finds the job id taken. The handler
 * returns (and the message is acked) only once Redis holds the job.
 */
export function orderCreatedConsumer(
  queue: ExpirationQueue,
  metrics: ExpirationMetrics,
): PlainConsumer<typeof orderCreatedSubject, void> {
  return {
    subject: orderCreatedSubject,
    order: 'none',
    async handle(data, context) {
      const { delayMs } = await scheduleExpiry(queue, data);
      metrics.ordersReceived.inc();
      context.logger.info({ orderId: data.id, expiresAt: data.expiresAt, delayMs }, 'order expiry scheduled');
    },
  };
}
