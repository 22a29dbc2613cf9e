import {
  createServiceApp,
  sessionOptions,
  type Registry,
  type ServiceApp,
  type SessionRevocationCheck,
} from '@glotixz/common/express';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { PaymentsDb } from './db/db';
import type { PaymentMetrics } from './payments/payment-metrics';
import { paymentsRoutes } from './payments/payments.routes';
import { createPaymentsService } from './payments/payments.service';
import type { RefundTrigger } from './refunds/refund-worker';
import type { StripeGateway } from './stripe/stripe.gateway';
import { createWebhookService } from './webhooks/stripe-webhook.service';
import { mountWebhookBody, webhookRoutes } from './webhooks/webhook.routes';

/** What the payments app needs from the outside world. */
export interface AppDeps {
  config: Config;
  db: PaymentsDb;
  logger: Logger;
  /** Resolves when NATS and JetStream answer (the running messaging's `ready`). */
  natsReady: () => Promise<void>;
  stripe: StripeGateway;
  /** Woken when a webhook finds a refund due. */
  refunds: RefundTrigger;
  /** The business counters; the app serves them on `/metrics`. */
  paymentMetrics: PaymentMetrics;
  /** The registry `/metrics` serves, shared with `startMessaging` for the bus metrics; a new one by default. */
  registry?: Registry;
  /** Revoked sessions (`Messaging.revokedSessions`): their tokens are refused. */
  revocations?: SessionRevocationCheck;
}

/** Builds the payments Express app. No side effects: `main.ts` listens, tests drive it with supertest. */
export function createApp({
  config,
  db,
  logger,
  natsReady,
  stripe,
  refunds,
  paymentMetrics,
  registry,
  revocations,
}: AppDeps): ServiceApp {
  const payments = createPaymentsService({ db, stripe, publishableKey: config.STRIPE_PUBLISHABLE_KEY });
  const webhooks = createWebhookService({
    db,
    stripe,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    logger,
    metrics: paymentMetrics,
    refunds,
  });
  const service = createServiceApp({
    service: 'payments',
    logger,
    ...sessionOptions(config),
    revocations,
    rawRoutes: mountWebhookBody,
    routes: [...paymentsRoutes(payments), ...webhookRoutes(webhooks)],
    docsPath: '/api/payments/docs',
    docsTitle: 'Glotixz payments API',
    readiness: { postgres: () => db.execute(sql`select 1`), nats: natsReady },
    registry,
  });
  paymentMetrics.registerIn(service.metrics);
  return service;
}
