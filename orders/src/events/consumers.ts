import { consumerTable } from '@glotixz/common/bus';
import type { OrdersDb } from '../db/db';
import type { ETicketSigner } from '../etickets/eticket-signer';
import {
  expirationCompletedConsumer,
  paymentRefundedConsumer,
  paymentSucceededConsumer,
} from '../orders/orders.consumers';
import { createOrdersMetrics, type OrdersMetrics } from '../orders/orders.metrics';
import { ticketCreatedConsumer, ticketUpdatedConsumer } from '../tickets/tickets.consumers';

/**
 * The orders service's consumers: one row per subject, each handled once per event (I2). `signer`
 * mints the e-ticket of an order as it completes; `metrics` counts completed and expired orders
 * (unserved counters by default).
 */
export function ordersConsumers(
  db: OrdersDb,
  signer: ETicketSigner,
  metrics: OrdersMetrics = createOrdersMetrics(),
) {
  const consumer = consumerTable({ service: 'orders', db });
  return [
    consumer(ticketCreatedConsumer),
    consumer(ticketUpdatedConsumer),
    consumer(expirationCompletedConsumer(metrics)),
    consumer(paymentSucceededConsumer(signer, metrics)),
    consumer(paymentRefundedConsumer),
  ];
}
