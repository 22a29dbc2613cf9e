import { createDb, createPool, runMigrations, startTablePruner } from '@glotixz/common/db';
import { createLogger, runService } from '@glotixz/common/express';
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
    // Sign-in counters whose window has ended are of no use to anyone.
    const pruner = startTablePruner({
      pool,
      logger,
      table: 'signin_attempts',
      column: 'reset_at',
      retentionMs: 0,
    });
    lifecycle.onShutdown('pruner', () => pruner.stop());
    const { app } = createApp({ config, db, logger });
    await lifecycle.listen(app, config);
  },
);
