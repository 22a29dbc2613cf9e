import { createServiceApp, type ServiceApp } from '@glotixz/common/express';
import { appDefaults, type AppDeps as BaseAppDeps } from '@glotixz/common/service';
import type { Config } from './config';
import type { PaymentsDb } from './db/db';
import type { PaymentMetrics } from './payments/payment-metrics';
import { paymentsRoutes } from './payments/payments.routes';
import { createPaymentsService } from './payments/payments.service';
import { offsetClock, type Clock } from './payouts/clock';
import { payoutsRoutes } from './payouts/payouts.routes';
import { createPayoutsService } from './payouts/payouts.service';
import type { SaleRefunder } from './payouts/refund-sale';
import type { RefundTrigger } from './refunds/refund-worker';
import type { StripeGateway } from './stripe/stripe.gateway';
import { createWebhookService } from './webhooks/stripe-webhook.service';
import { mountWebhookBody, webhookRoutes } from './webhooks/webhook.routes';

/** What the payments app needs from the outside world. */
export interface AppDeps extends BaseAppDeps<Config, PaymentsDb> {
  stripe: StripeGateway;
  /** Woken when a webhook finds a refund due. */
  refunds: RefundTrigger;
  /** The business counters; the app serves them on `/metrics`. */
  paymentMetrics: PaymentMetrics;
  /** The one refund path (a refund made in Stripe's dashboard). */
  refunder: SaleRefunder;
  /** Woken when a seller's account becomes enabled. */
  payouts?: { wake(): void };
  /** The payout clock (the service's one, from `setup`); default `CLOCK_OFFSET_SECONDS` from real time. */
  clock?: Clock;
}

/** Builds the payments Express app. No side effects: `main.ts` listens, tests drive it with supertest. */
export function createApp(deps: AppDeps): ServiceApp {
  const { config, db, logger, stripe, refunds, refunder, payouts, paymentMetrics } = deps;
  const clock = deps.clock ?? offsetClock(config.CLOCK_OFFSET_SECONDS);
  const payments = createPaymentsService({ db, stripe, publishableKey: config.STRIPE_PUBLISHABLE_KEY });
  const webhooks = createWebhookService({
    db,
    stripe,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    connectWebhookSecret: config.STRIPE_CONNECT_WEBHOOK_SECRET,
    logger,
    metrics: paymentMetrics,
    refunds,
    refunder,
    payouts,
    payoutHoldSeconds: config.PAYOUT_HOLD_SECONDS,
    clock,
  });
  const payoutsService = createPayoutsService({ db, stripe, publicUrl: config.PUBLIC_URL });
  const service = createServiceApp({
    ...appDefaults('payments', deps),
    rawRoutes: mountWebhookBody,
    routes: [...paymentsRoutes(payments), ...payoutsRoutes(payoutsService), ...webhookRoutes(webhooks)],
    docsPath: '/api/payments/docs',
    docsTitle: 'Glotixz payments API',
  });
  paymentMetrics.registerIn(service.metrics);
  return service;
}
