import { startMessaging } from '@glotixz/common/bus';
import { createDb, createPool, runMigrations } from '@glotixz/common/db';
import { createLogger, createMetricsRegistry, runService } from '@glotixz/common/express';
import { createApp } from './app';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import { ticketsConsumers } from './events/consumers';
import { startOrderRecordsPruner } from './events/order-records';

const config = readConfig(process.env);
const logger = createLogger({ service: 'tickets', level: config.LOG_LEVEL });

void runService(
  { service: 'tickets', logger, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT },
  async (lifecycle) => {
    const pool = createPool(config.DATABASE_URL, { logger });
    lifecycle.onShutdown('postgres', () => pool.end());
    await runMigrations(pool, migrationsFolder);
    const db = createDb(pool, schema);
    const registry = createMetricsRegistry();
    const messaging = await startMessaging({
      service: 'tickets',
      natsUrl: config.NATS_URL,
      prefix: config.NATS_PREFIX,
      streamReplicas: config.NATS_STREAM_REPLICAS,
      logger,
      outbox: { pool },
      metrics: registry,
      revocations: { replaySeconds: config.JWT_TTL_SECONDS },
      consumers: ticketsConsumers(db),
    });
    lifecycle.onShutdown('messaging', () => messaging.stop());
    const pruner = startOrderRecordsPruner(pool, logger);
    lifecycle.onShutdown('pruner', () => pruner.stop());
    const { app } = createApp({
      config,
      db,
      messaging,
      logger,
      registry,
      revocations: messaging.revokedSessions,
    });
    await lifecycle.listen(app, config);
  },
);
