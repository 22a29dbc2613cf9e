import { createBackgroundLoop } from '@glotixz/common/db';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { OrdersDb } from '../db/db';
import type { OrdersMetrics } from './orders.metrics';
import { ordersRepo } from './orders.repo';

/** Options of {@link createOverdueSweeper}. */
export interface OverdueSweeperOptions {
  db: OrdersDb;
  logger: Logger;
  /** Pause between sweeps. */
  intervalMs: number;
  /** How long past `expiresAt` an order is left to the expiration service before it is swept. */
  graceSeconds: number;
  /** Orders cancelled per transaction. */
  batchSize: number;
  /** Where to register `orders_overdue_cancelled_total`, e.g. the app's `/metrics` registry. */
  metrics?: Registry;
  /** Counts the orders it cancels as expired (`orders_expired_total{source="sweeper"}`). */
  ordersMetrics?: Pick<OrdersMetrics, 'expired'>;
}

/** The backstop that cancels overdue unpaid orders (I5). */
export interface OverdueSweeper {
  /** Cancels every order that is overdue now, batch by batch; answers how many. */
  sweepOnce(): Promise<number>;
  /** Sweeps now and then every `intervalMs` (sooner, with backoff, after a failed sweep) until {@link OverdueSweeper.stop}. */
  start(): void;
  /** Stops the loop and waits for a sweep in progress to commit or roll back. */
  stop(): Promise<void>;
}

/**
 * Creates the backstop for lost expiry jobs (I5): orders still awaiting payment more than
 * `graceSeconds` past `expiresAt` are cancelled with `order.cancelled`. Safe with several replicas
 * and with `expiration.completed` racing it: rows are claimed with `FOR UPDATE SKIP LOCKED` and
 * changed only while still awaiting payment, so each order is cancelled, and announced, once.
 * Runs on `createBackgroundLoop`: sweeps never overlap within a process and `stop` waits for
 * the sweep in progress.
 */
export function createOverdueSweeper(options: OverdueSweeperOptions): OverdueSweeper {
  const { db, intervalMs, graceSeconds, batchSize } = options;
  const name = 'overdue-sweeper';
  const logger = options.logger.child({ component: name });
  const swept = new Counter({
    name: 'orders_overdue_cancelled_total',
    help: 'Orders cancelled by the overdue sweeper because no expiry arrived in time',
    registers: options.metrics ? [options.metrics] : [],
  });

  async function sweepOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const cancelled = await ordersRepo.cancelOverdue(db, { graceSeconds, batchSize });
      // Counted per committed batch, so a later batch failing cannot lose earlier counts.
      if (cancelled > 0) {
        swept.inc(cancelled);
        options.ordersMetrics?.expired.inc({ source: 'sweeper' }, cancelled);
      }
      total += cancelled;
      if (cancelled < batchSize) break;
    }
    if (total > 0) logger.info({ cancelled: total }, 'cancelled overdue orders');
    return total;
  }

  const loop = createBackgroundLoop({ name, logger: options.logger, intervalMs, pass: sweepOnce });
  return { sweepOnce, start: loop.start, stop: loop.stop };
}
