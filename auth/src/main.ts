import { startMessaging } from '@glotixz/common/bus';
import { createDb, createPool, runMigrations, startTablePruner } from '@glotixz/common/db';
import { createLogger, createMetricsRegistry, runService } from '@glotixz/common/express';
import { createApp } from './app';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';

const config = readConfig(process.env);
const logger = createLogger({ service: 'auth', level: config.LOG_LEVEL });

void runService(
  { service: 'auth', logger, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT },
  async (lifecycle) => {
    const pool = createPool(config.DATABASE_URL, { logger });
    lifecycle.onShutdown('postgres', () => pool.end());
    await runMigrations(pool, migrationsFolder);
    const db = createDb(pool, schema);
    const registry = createMetricsRegistry();
    const messaging = await startMessaging({
      service: 'auth',
      natsUrl: config.NATS_URL,
      prefix: config.NATS_PREFIX,
      streamReplicas: config.NATS_STREAM_REPLICAS,
      logger,
      outbox: { pool },
      metrics: registry,
      consumers: [],
    });
    lifecycle.onShutdown('messaging', () => messaging.stop());
    // Bookkeeping rows of no further use: ended sign-in windows and backoffs, expired sessions.
    const pruners = [
      { table: 'signin_attempts', column: 'reset_at' },
      { table: 'signin_backoff', column: 'expires_at' },
      { table: 'sessions', column: 'expires_at' },
    ].map(({ table, column }) => startTablePruner({ pool, logger, table, column, retentionMs: 0 }));
    lifecycle.onShutdown('pruners', () => Promise.all(pruners.map((pruner) => pruner.stop())));
    const { app } = createApp({ config, db, logger, messaging, registry });
    await lifecycle.listen(app, config);
  },
);
