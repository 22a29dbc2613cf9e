import { consumerTable } from '@glotixz/common/bus';
import type { OrdersDb } from '../db/db';
import { expirationCompletedConsumer, paymentSucceededConsumer } from '../orders/orders.consumers';
import { createOrdersMetrics, type OrdersMetrics } from '../orders/orders.metrics';
import { ticketCreatedConsumer, ticketUpdatedConsumer } from '../tickets/tickets.consumers';

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
