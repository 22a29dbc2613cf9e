import { defineConsumer, inboxHandler } from '@glotixz/common/bus';
import { orderCancelledSubject, orderCompletedSubject, orderCreatedSubject } from '@glotixz/common/events';
import type { TicketsDb } from '../tickets/tickets.repo';
import { onOrderCancelled } from './order-cancelled.consumer';
import { onOrderCompleted } from './order-completed.consumer';
import { onOrderCreated } from './order-created.consumer';

/** The events tickets consumes: subject, durable name, handler (each once per event, I2). */
export function ticketsConsumers(db: TicketsDb) {
  return [
    defineConsumer({
      subject: orderCreatedSubject,
      durable: 'tickets-order-created',
      handler: inboxHandler(db, onOrderCreated),
    }),
    defineConsumer({
      subject: orderCancelledSubject,
      durable: 'tickets-order-cancelled',
      handler: inboxHandler(db, onOrderCancelled),
    }),
    defineConsumer({
      subject: orderCompletedSubject,
      durable: 'tickets-order-completed',
      handler: inboxHandler(db, onOrderCompleted),
    }),
  ];
}
