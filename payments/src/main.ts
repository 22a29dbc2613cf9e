import { startMessaging } from '@glotixz/common/bus';
import { createDb, createPool, runMigrations } from '@glotixz/common/db';
import { createLogger, createMetricsRegistry, runService } from '@glotixz/common/express';
import { createApp } from './app';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import { paymentsConsumers } from './events/consumers';
import { createPaymentMetrics } from './payments/payment-metrics';
import { createReconciler } from './reconciler/reconciler';
import { createRefundWorker } from './refunds/refund-worker';
import { createStripeClient } from './stripe/stripe.client';
import { createStripeGateway } from './stripe/stripe.gateway';

const config = readConfig(process.env);
const logger = createLogger({ service: 'payments', level: config.LOG_LEVEL });

void runService(
  { service: 'payments', logger, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT },
  async (lifecycle) => {
    const pool = createPool(config.DATABASE_URL, { logger });
    lifecycle.onShutdown('postgres', () => pool.end());
    await runMigrations(pool, migrationsFolder);
    const db = createDb(pool, schema);
    const stripe = createStripeGateway(createStripeClient(config));
    const paymentMetrics = createPaymentMetrics();
    const refunds = createRefundWorker({
      db,
      stripe,
      logger,
      intervalMs: config.REFUND_INTERVAL_SECONDS * 1000,
      claimMs: config.REFUND_CLAIM_SECONDS * 1000,
      metrics: paymentMetrics,
    });
    const reconciler = createReconciler({
      db,
      stripe,
      logger,
      refunds,
      metrics: paymentMetrics,
      intervalMs: config.RECONCILE_INTERVAL_SECONDS * 1000,
      openAfterSeconds: config.RECONCILE_OPEN_AFTER_SECONDS,
      staleAttemptSeconds: config.RECONCILE_STALE_ATTEMPT_SECONDS,
      backoffCapSeconds: config.RECONCILE_BACKOFF_CAP_SECONDS,
      batchSize: config.RECONCILE_BATCH_SIZE,
    });

    const registry = createMetricsRegistry();
    const messaging = await startMessaging({
      service: 'payments',
      natsUrl: config.NATS_URL,
      prefix: config.NATS_PREFIX,
      streamReplicas: config.NATS_STREAM_REPLICAS,
      logger,
      outbox: { pool },
      metrics: registry,
      revocations: { replaySeconds: config.JWT_TTL_SECONDS },
      consumers: paymentsConsumers(db, refunds),
    });
    lifecycle.onShutdown('messaging', () => messaging.stop());

    refunds.start();
    lifecycle.onShutdown('refund-worker', () => refunds.stop());
    reconciler.start();
    lifecycle.onShutdown('reconciler', () => reconciler.stop());

    const { app } = createApp({
      config,
      db,
      logger,
      natsReady: () => messaging.ready(),
      stripe,
      refunds,
      paymentMetrics,
      registry,
      revocations: messaging.revokedSessions,
    });
    await lifecycle.listen(app, config);
  },
);
