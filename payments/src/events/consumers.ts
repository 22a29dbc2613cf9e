import { consumerTable } from '@glotixz/common/bus';
import type { PaymentsDb } from '../db/db';
import {
  orderCancelledConsumer,
  orderCompletedConsumer,
  orderCreatedConsumer,
} from '../orders/orders.consumers';
import type { RefundTrigger } from '../refunds/refund-worker';

/** The payments service's consumers: one row per subject, each handled once per event (I2). */
export function paymentsConsumers(db: PaymentsDb, refunds: RefundTrigger) {
  const consumer = consumerTable({ service: 'payments', db });
  return [
    consumer(orderCreatedConsumer),
    consumer(orderCancelledConsumer(refunds)),
    consumer(orderCompletedConsumer),
  ];
}
