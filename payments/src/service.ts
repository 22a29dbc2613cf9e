import { defineService } from '@glotixz/common/service';
import { createApp } from './app';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import { paymentsConsumers } from './events/consumers';
import { createPaymentMetrics } from './payments/payment-metrics';
import { createReconciler, reconcilerSettings } from './reconciler/reconciler';
import { createRefundWorker } from './refunds/refund-worker';
import { createStripeClient } from './stripe/stripe.client';
import { createStripeGateway } from './stripe/stripe.gateway';

/** The payments service: charges orders through Stripe, refunds charges on cancelled orders. */
export const paymentsService = defineService({
  name: 'payments',
  config: readConfig,
  database: { schema, migrationsFolder },
  verifiesTokens: true,
  setup: ({ config, db, logger }) => {
    const stripe = createStripeGateway(createStripeClient(config));
    const paymentMetrics = createPaymentMetrics();
    // Created here, started as a task: the consumers and the webhook wake it.
    const refunds = createRefundWorker({
      db,
      stripe,
      logger,
      intervalMs: config.REFUND_INTERVAL_SECONDS * 1000,
      claimMs: config.REFUND_CLAIM_SECONDS * 1000,
      metrics: paymentMetrics,
    });
    return { stripe, paymentMetrics, refunds };
  },
  consumers: ({ db, refunds }) => paymentsConsumers(db, refunds),
  tasks: ({ config, db, logger, stripe, refunds, paymentMetrics }) => ({
    'refund-worker': refunds,
    reconciler: createReconciler({
      db,
      stripe,
      logger,
      refunds,
      metrics: paymentMetrics,
      ...reconcilerSettings(config),
    }),
  }),
  createApp,
});
