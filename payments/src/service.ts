import { defineService } from '@glotixz/common/service';
import { createApp } from './app';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import { paymentsConsumers } from './events/consumers';
import { createPaymentMetrics } from './payments/payment-metrics';
import { createReconciler, reconcilerSettings } from './reconciler/reconciler';
import { createLedgerReconciler } from './ledger/ledger-reconciler';
import { offsetClock } from './payouts/clock';
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
    // The one clock every payout decision takes its time from (the webhook, the reconciler, the worker).
    const clock = offsetClock(config.CLOCK_OFFSET_SECONDS);
    if (config.CLOCK_OFFSET_SECONDS !== 0) {
      logger.warn(
        { offsetSeconds: config.CLOCK_OFFSET_SECONDS },
        'the payout clock is shifted from real time',
      );
    }
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
      clock,
      intervalMs: config.PAYOUT_INTERVAL_SECONDS * 1000,
      claimMs: config.PAYOUT_CLAIM_SECONDS * 1000,
      backoff: { baseMs: config.PAYOUT_RETRY_BASE_SECONDS * 1000, capMs: 6 * 3_600_000 },
      metrics: paymentMetrics,
    });
    return { stripe, paymentMetrics, refunds, refunder, payouts, clock };
  },
  consumers: ({ db, refunds }) => paymentsConsumers(db, refunds),
  tasks: ({ config, db, logger, stripe, refunds, payouts, paymentMetrics, clock }) => ({
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
      clock,
      metrics: paymentMetrics,
      ...reconcilerSettings(config),
    }),
  }),
  createApp,
});
