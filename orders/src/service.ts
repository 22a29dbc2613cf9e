import { createTablePruner } from '@glotixz/common/db';
import { defineService } from '@glotixz/common/service';
import { createApp } from './app';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import { createETicketSigner } from './etickets/eticket-signer';
import { ordersConsumers } from './events/consumers';
import { createOrdersMetrics } from './orders/orders.metrics';
import { createOverdueSweeper } from './orders/overdue-sweeper';

/** The orders service: places, cancels and completes orders over its replica of tickets. */
export const ordersService = defineService({
  name: 'orders',
  config: readConfig,
  database: { schema, migrationsFolder },
  verifiesTokens: true,
  setup: ({ config, registry }) => ({
    ordersMetrics: createOrdersMetrics(registry),
    // The key is imported once, at start-up: a bad one stops the process before it consumes.
    eticketSigner: createETicketSigner({
      signingKey: config.ETICKET_SIGNING_KEY,
      keyId: config.ETICKET_KEY_ID,
    }),
  }),
  consumers: ({ db, ordersMetrics, eticketSigner }) => ordersConsumers(db, eticketSigner, ordersMetrics),
  tasks: ({ config, pool, db, logger, registry, ordersMetrics }) => ({
    // Placement counters whose window ended count for nothing.
    pruner: createTablePruner({ pool, logger, table: 'order_attempts', column: 'reset_at', retentionMs: 0 }),
    'overdue-sweeper': createOverdueSweeper({
      db,
      logger,
      intervalMs: config.SWEEP_INTERVAL_SECONDS * 1000,
      graceSeconds: config.SWEEP_GRACE_SECONDS,
      batchSize: config.SWEEP_BATCH_SIZE,
      metrics: registry,
      ordersMetrics,
    }),
  }),
  createApp,
});
