import { Counter, type Registry } from 'prom-client';

/** The counters of what happened to orders, each moved only after its transaction committed. */
export interface OrdersMetrics {
  /** Orders placed (`order.created`). */
  created: Counter;
  /** Orders paid (`order.completed`). */
  completed: Counter;
  /** Orders cancelled unpaid at the end of their window, by `expiration.completed` or the sweeper. */
  expired: Counter<'source'>;
}

/**
 * Registers `orders_created_total`, `orders_completed_total` and
 * `orders_expired_total{source="expiration"|"sweeper"}` in `registry`; without one they count
 * without being served (tests, or an app built without `/metrics`).
 */
export function createOrdersMetrics(registry?: Registry): OrdersMetrics {
  const registers = registry ? [registry] : [];
  const metrics: OrdersMetrics = {
    created: new Counter({ name: 'orders_created_total', help: 'Orders placed', registers }),
    completed: new Counter({
      name: 'orders_completed_total',
      help: 'Orders completed by a payment',
      registers,
    }),
    expired: new Counter({
      name: 'orders_expired_total',
      help: 'Orders cancelled unpaid when their reservation window ended, by what cancelled them',
      labelNames: ['source'] as const,
      registers,
    }),
  };
  // Every series exists from the start, so rates work before the first expiry.
  for (const source of ['expiration', 'sweeper']) metrics.expired.inc({ source }, 0);
  return metrics;
}
