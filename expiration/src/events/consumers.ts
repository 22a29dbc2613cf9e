import { consumerTable } from '@glotixz/common/bus';
import type { ExpirationMetrics } from '../expirations/expiration.metrics';
import type { ExpirationQueue } from '../expirations/expiration.queue';
import { orderCreatedConsumer } from '../expirations/order-created.consumer';

/** What the consumers need. */
export interface ConsumerDeps {
  queue: ExpirationQueue;
  metrics: ExpirationMetrics;
}

/** The service's consumer table: one durable consumer per subject. */
export function expirationConsumers({ queue, metrics }: ConsumerDeps) {
  const consumer = consumerTable({ service: 'expiration' });
  return [consumer(orderCreatedConsumer(queue, metrics))] as const;
}
