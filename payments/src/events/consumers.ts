import { defineConsumer } from '@glotixz/common/bus';
import {
  orderCancelledSubject,
  orderCompletedSubject,
  orderCreatedSubject,
  type Subject,
} from '@glotixz/common/events';
import type { PaymentsDb } from '../db/db';
import { onOrderCancelled, onOrderCompleted, onOrderCreated } from '../orders/orders.consumers';
import type { RefundTrigger } from '../refunds/refund-worker';

/** The durable consumer name of a subject: `payments-<subject with dots as dashes>`. */
export function durableName(subject: Subject): string {
  return `payments-${subject.replaceAll('.', '-')}`;
}

/** The payments service's consumers: one row per subject, each handled once per event (I2). */
export function paymentsConsumers(db: PaymentsDb, refunds: RefundTrigger) {
  return [
    defineConsumer({
      subject: orderCreatedSubject,
      durable: durableName(orderCreatedSubject),
      handler: onOrderCreated(db),
    }),
    defineConsumer({
      subject: orderCancelledSubject,
      durable: durableName(orderCancelledSubject),
      handler: onOrderCancelled(db, refunds),
    }),
    defineConsumer({
      subject: orderCompletedSubject,
      durable: durableName(orderCompletedSubject),
      handler: onOrderCompleted(db),
    }),
  ];
}
