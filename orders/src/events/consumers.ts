import { consumerTable, durableNameFor } from '@glotixz/common/bus';
import type { Subject } from '@glotixz/common/events';
import type { OrdersDb } from '../db/db';
import { expirationCompletedConsumer, paymentSucceededConsumer } from '../orders/orders.consumers';
import { createOrdersMetrics, type OrdersMetrics } from '../orders/orders.metrics';
import { ticketCreatedConsumer, ticketUpdatedConsumer } from '../tickets/tickets.consumers';

/** The durable consumer name of a subject: `orders-<subject with dots as dashes>`. */
export function durableName(subject: Subject): string {
  return durableNameFor('orders', subject);
}

/**
 * The orders service's consumers: one row per subject, each handled once per event (I2). `metrics`
 * counts completed and expired orders (unserved counters by default).
 */
export function ordersConsumers(db: OrdersDb, metrics: OrdersMetrics = createOrdersMetrics()) {
  const consumer = consumerTable({ service: 'orders', db });
  return [
    consumer(ticketCreatedConsumer),
    consumer(ticketUpdatedConsumer),
    consumer(expirationCompletedConsumer(metrics)),
    consumer(paymentSucceededConsumer(metrics)),
  ];
}
