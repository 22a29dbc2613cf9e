import { Counter, Gauge, type Registry } from 'prom-client';

/** The business counters on `/metrics`. */
export interface PaymentMetrics {
  /** Charges Stripe confirmed (webhook), including those owed back because the order was cancelled. */
  succeeded: Counter;
  /** Attempts Stripe declined (webhook). */
  declined: Counter;
  /** Refunds issued by the refund worker. */
  refunded: Counter;
  /** Payments the reconciler checked with Stripe, by what it did (`succeeded`, `refund_due`, `released`, …). */
  reconciled: Counter<'outcome'>;
  /** Differences the last ledger reconciliation found between the ledger and Stripe. */
  ledgerDifferences: Gauge;
  /**
   * Unix time (seconds) at which the last completed ledger reconciliation started: a reading of
   * {@link ledgerDifferences} is about the state as of then, or later.
   */
  ledgerReconciledAt: Gauge;
  /**
   * The payout clock's time (Unix seconds) at which the payout worker's last completed pass
   * started: every sale due by then and claimable was transferred, or failed.
   */
  payoutsCheckedAt: Gauge;
  /** Adds the counters to `registry`, e.g. the app's `/metrics` registry. */
  registerIn(registry: Registry): void;
}

/** Creates the counters, registered nowhere until {@link PaymentMetrics.registerIn}. */
export function createPaymentMetrics(): PaymentMetrics {
  const counters = {
    succeeded: new Counter({
      name: 'payments_succeeded_total',
      help: 'Charges Stripe confirmed, by webhook',
      registers: [],
    }),
    declined: new Counter({
      name: 'payments_declined_total',
      help: 'Payment attempts Stripe declined, by webhook',
      registers: [],
    }),
    refunded: new Counter({
      name: 'payments_refunded_total',
      help: 'Charges refunded because their order was cancelled',
      registers: [],
    }),
    reconciled: new Counter({
      name: 'payments_reconciled_total',
      help: 'Payments the reconciler checked with Stripe, by outcome: succeeded, refund_due, released, declined, canceled, unchanged, error',
      labelNames: ['outcome'] as const,
      registers: [],
    }),
    ledgerDifferences: new Gauge({
      name: 'ledger_reconciliation_differences',
      help: 'Differences the last ledger reconciliation found between the ledger and Stripe (0: they agree)',
      registers: [],
    }),
    ledgerReconciledAt: new Gauge({
      name: 'ledger_reconciliation_started_timestamp_seconds',
      help: 'Unix time at which the last completed ledger reconciliation started (0: none completed yet)',
      registers: [],
    }),
    payoutsCheckedAt: new Gauge({
      name: 'payouts_checked_timestamp_seconds',
      help: "The payout clock's Unix time at which the payout worker's last completed pass started (0: none yet)",
      registers: [],
    }),
  };
  return {
    ...counters,
    registerIn(registry) {
      for (const counter of Object.values(counters)) registry.registerMetric(counter);
    },
  };
}
