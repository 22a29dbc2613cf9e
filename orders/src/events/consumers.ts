import { defineConsumer } from '@glotixz/common/bus';
import {
  expirationCompletedSubject,
  paymentSucceededSubject,
  ticketCreatedSubject,
  ticketUpdatedSubject,
  type Subject,
} from '@glotixz/common/events';
import type { OrdersDb } from '../db/db';
import { onExpirationCompleted, onPaymentSucceeded } from '../orders/orders.consumers';
import { createOrdersMetrics, type OrdersMetrics } from '../orders/orders.metrics';
import { onTicketCreated, onTicketUpdated } from '../tickets/tickets.consumers';

/** The durable consumer name of a subject: `orders-<subject with dots as dashes>`. */
export function durableName(subject: Subject): string {
  return `orders-${subject.replaceAll('.', '-')}`;
}

/**
 * The orders service's consumers: one row per subject, each handled once per event (I2). `metrics`
 * counts completed and expired orders (unserved counters by default).
 */
export function ordersConsumers(db: OrdersDb, metrics: OrdersMetrics = createOrdersMetrics()) {
  return [
    defineConsumer({
      subject: ticketCreatedSubject,
      durable: durableName(ticketCreatedSubject),
      handler: onTicketCreated(db),
    }),
    defineConsumer({
      subject: ticketUpdatedSubject,
      durable: durableName(ticketUpdatedSubject),
      handler: onTicketUpdated(db),
    }),
    defineConsumer({
      subject: expirationCompletedSubject,
      durable: durableName(expirationCompletedSubject),
      handler: onExpirationCompleted(db, metrics),
    }),
    defineConsumer({
      subject: paymentSucceededSubject,
      durable: durableName(paymentSucceededSubject),
      handler: onPaymentSucceeded(db, metrics),
    }),
  ];
}
