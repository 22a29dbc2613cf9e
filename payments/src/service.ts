import { defineService } from '@glotixz/common/service';
import { createApp } from './app';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import { paymentsConsumers } from './events/consumers';
import { createPaymentMetrics } from './payments/payment-metrics';
import { createReconciler, reconcilerSettings } from './reconciler/reconciler';
import { createLedgerReconciler } from './ledger/ledger-reconciler';
import { createPayoutWorker } from './payouts/payout-worker';
import { createSaleRefunder } from './payouts/refund-sale';
import { createRefundWorker } from './refunds/refund-worker';
import { createStripeClient } from './stripe/stripe.client';
import { createStripeGateway } from './stripe/stripe.gateway';

/**
 * The payments service: charges orders through Stripe, refunds charges on cancelled orders, pays
 * sellers out after their event, and keeps the ledger.
 */
export const paymentsService = defineService({
  name: 'payments',
  config: readConfig,
  database: { schema, migrationsFolder },
  verifiesTokens: true,
  setup: ({ config, db, logger }) => {
    const stripe = createStripeGateway(createStripeClient(config));
    const paymentMetrics = createPaymentMetrics();
    const refunder = createSaleRefunder({ db, stripe, logger });
    // Created here, started as a task: the consumers and the webhook wake it.
    const refunds = createRefundWorker({
      db,
      stripe,
      refunder,
      logger,
      intervalMs: config.REFUND_INTERVAL_SECONDS * 1000,
      claimMs: config.REFUND_CLAIM_SECONDS * 1000,
      metrics: paymentMetrics,
    });
    const payouts = createPayoutWorker({
      db,
      stripe,
      refunder,
      logger,
      intervalMs: config.PAYOUT_INTERVAL_SECONDS * 1000,
      claimMs: config.PAYOUT_CLAIM_SECONDS * 1000,
      backoff: { baseMs: config.PAYOUT_RETRY_BASE_SECONDS * 1000, capMs: 6 * 3_600_000 },
    });
    return { stripe, paymentMetrics, refunds, refunder, payouts };
  },
  consumers: ({ db, refunds }) => paymentsConsumers(db, refunds),
  tasks: ({ config, db, logger, stripe, refunds, payouts, paymentMetrics }) => ({
    'refund-worker': refunds,
    'payout-worker': payouts,
    'ledger-reconciler': createLedgerReconciler({
      db,
      stripe,
      logger,
      metrics: paymentMetrics,
      intervalMs: config.LEDGER_RECONCILE_INTERVAL_SECONDS * 1000,
    }),
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
