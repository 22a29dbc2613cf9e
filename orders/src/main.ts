import { startMessaging } from '@glotixz/common/bus';
import { createDb, createPool, runMigrations, startTablePruner } from '@glotixz/common/db';
import { createLogger, createMetricsRegistry, runService } from '@glotixz/common/express';
import { createApp } from './app';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import { ordersConsumers } from './events/consumers';
import { createOrdersMetrics } from './orders/orders.metrics';
import { createOverdueSweeper } from './orders/overdue-sweeper';

const config = readConfig(process.env);
const logger = createLogger({ service: 'orders', level: config.LOG_LEVEL });

void runService(
  { service: 'orders', logger, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT },
  async (lifecycle) => {
    const pool = createPool(config.DATABASE_URL, { logger });
    lifecycle.onShutdown('postgres', () => pool.end());
    await runMigrations(pool, migrationsFolder);
    const db = createDb(pool, schema);
    // Placement counters whose window ended count for nothing.
    const pruner = startTablePruner({
      pool,
      logger,
      table: 'order_attempts',
      column: 'reset_at',
      retentionMs: 0,
    });
    lifecycle.onShutdown('pruner', () => pruner.stop());

    const registry = createMetricsRegistry();
    const ordersMetrics = createOrdersMetrics(registry);
    const messaging = await startMessaging({
      service: 'orders',
      natsUrl: config.NATS_URL,
      prefix: config.NATS_PREFIX,
      streamReplicas: config.NATS_STREAM_REPLICAS,
      logger,
      outbox: { pool },
      metrics: registry,
      revocations: { replaySeconds: config.JWT_TTL_SECONDS },
      consumers: ordersConsumers(db, ordersMetrics),
    });
    lifecycle.onShutdown('messaging', () => messaging.stop());

    const { app, metrics } = createApp({
      config,
      db,
      logger,
      natsReady: () => messaging.ready(),
      registry,
      ordersMetrics,
      revocations: messaging.revokedSessions,
    });

    const sweeper = createOverdueSweeper({
      db,
      logger,
      intervalMs: config.SWEEP_INTERVAL_SECONDS * 1000,
      graceSeconds: config.SWEEP_GRACE_SECONDS,
      batchSize: config.SWEEP_BATCH_SIZE,
      metrics,
      ordersMetrics,
    });
    sweeper.start();
    lifecycle.onShutdown('overdue-sweeper', () => sweeper.stop());

    await lifecycle.listen(app, config);
  },
);
