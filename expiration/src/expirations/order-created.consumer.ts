import type { PlainConsumer } from '@glotixz/common/bus';
import { orderCreatedSubject } from '@glotixz/common/events';
import type { ExpirationMetrics } from './expiration.metrics';
import { scheduleExpiries, scheduleExpiry, type ExpirationQueue } from './expiration.queue';

/**
 * `order.created` → one delayed job for `expiresAt`. The service has no database, so no inbox:
 * the job is keyed by the order, and a repeat of the event finds the job id taken. The handler
 * returns (and the message is acked) only once Redis holds the job; events that arrived together
 * are scheduled in one round trip.
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
    // Orders that arrived together: their jobs in one round trip to Redis.
    async handleBatch(entries) {
      const scheduled = await scheduleExpiries(
        queue,
        entries.map(({ data, within }) => ({ order: data, within })),
      );
      metrics.ordersReceived.inc(entries.length);
      for (const [index, { data, context }] of entries.entries()) {
        const { delayMs } = scheduled[index]!;
        context.logger.info(
          { orderId: data.id, expiresAt: data.expiresAt, delayMs },
          'order expiry scheduled',
        );
      }
      return entries.map(() => undefined);
    },
  };
}
