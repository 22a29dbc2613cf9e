import { consumerTable } from '@glotixz/common/bus';
import type { TicketsDb } from '../db/db';
import { orderCancelledConsumer } from './order-cancelled.consumer';
import { orderCompletedConsumer } from './order-completed.consumer';
import { orderCreatedConsumer } from './order-created.consumer';
import { paymentRefundedConsumer } from './payment-refunded.consumer';

/**
 * The events tickets consumes, each handled once per event (I2). Order events need no version
 * order here: tickets keeps no order replica, each handler decides from the ticket's own row (or,
 * for a refund, records the order once).
 */
export function ticketsConsumers(db: TicketsDb) {
  const consumer = consumerTable({ service: 'tickets', db });
  return [
    consumer(orderCreatedConsumer),
    consumer(orderCancelledConsumer),
    consumer(orderCompletedConsumer),
    consumer(paymentRefundedConsumer),
  ];
}
