import { createBackgroundLoop } from '@glotixz/common/db';
import type { Logger } from 'pino';
import type { PaymentsDb } from '../db/db';
import { ordersRepo } from '../orders/orders.repo';
import { recordStripeCharge } from '../payments/charge';
import type { PaymentMetrics } from '../payments/payment-metrics';
import { paymentsRepo } from '../payments/payments.repo';
import type { Clock } from '../payouts/clock';
import type { RefundTrigger } from '../refunds/refund-worker';
import { IntentStateError, type IntentState, type StripeGateway } from '../stripe/stripe.gateway';
import { reconcilerRepo, type ClaimRules, type ReconcileCandidate } from './reconciler.repo';

/** Options of {@link createReconciler}. */
export interface ReconcilerOptions extends ClaimRules {
  db: PaymentsDb;
  stripe: Pick<StripeGateway, 'retrieveIntent' | 'cancelIntent'>;
  logger: Logger;
  /** Woken when a charge on a cancelled order is found, so it is refunded at once. */
  refunds: RefundTrigger;
  /** Pause between passes. */
  intervalMs: number;
  /** How long after its event starts a sale found paid is paid out (`PAYOUT_HOLD_SECONDS`). */
  payoutHoldSeconds: number;
  /** The payout clock a sale found paid is scheduled by. */
  clock: Clock;
  metrics?: Pick<PaymentMetrics, 'succeeded' | 'reconciled'>;
}

/** The reconciler's settings from the service's configuration (`RECONCILE_*`). */
export function reconcilerSettings(config: {
  RECONCILE_INTERVAL_SECONDS: number;
  RECONCILE_OPEN_AFTER_SECONDS: number;
  RECONCILE_STALE_ATTEMPT_SECONDS: number;
  RECONCILE_BACKOFF_CAP_SECONDS: number;
  RECONCILE_BATCH_SIZE: number;
  PAYOUT_HOLD_SECONDS: number;
}): Pick<ReconcilerOptions, 'intervalMs' | 'payoutHoldSeconds' | keyof ClaimRules> {
  return {
    payoutHoldSeconds: config.PAYOUT_HOLD_SECONDS,
    intervalMs: config.RECONCILE_INTERVAL_SECONDS * 1000,
    openAfterSeconds: config.RECONCILE_OPEN_AFTER_SECONDS,
    staleAttemptSeconds: config.RECONCILE_STALE_ATTEMPT_SECONDS,
    backoffCapSeconds: config.RECONCILE_BACKOFF_CAP_SECONDS,
    batchSize: config.RECONCILE_BATCH_SIZE,
  };
}

/** What checking one payment with Stripe did. */
export type ReconcileOutcome =
  /** Stripe had taken the money; recorded as the webhook would have, `payment.succeeded` enqueued. */
  | 'succeeded'
  /** Stripe had taken the money for a cancelled order: the refund worker gives it back. */
  | 'refund_due'
  /** A confirmation lost with its process ended: the buyer can pay again. */
  | 'released'
  /** The last attempt had been declined: the buyer sees why and can try another card. */
  | 'declined'
  /** The order was cancelled unpaid: its PaymentIntent is canceled at Stripe, nothing can be charged. */
  | 'canceled'
  /** Nothing to apply (still open at Stripe, or the payment moved on meanwhile). */
  | 'unchanged'
  /** Stripe could not be asked; checked again later. */
  | 'error';

/** The reconciler: Stripe's state wins over a webhook that never came. */
export interface Reconciler {
  /** Checks every payment due now, batch by batch; answers what each check did. */
  reconcileDue(): Promise<ReconcileOutcome[]>;
  start(): void;
  stop(): Promise<void>;
}

/** Stripe statuses in which the PaymentIntent takes no money until someone confirms it again. */
const awaitingBuyer = new Set<IntentState['status']>([
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
]);

/**
 * Creates the reconciler, so that money never depends on one webhook (I6). Each pass claims the
 * payments that are due (see {@link reconcilerRepo.claimDue}) in one statement, asks Stripe for
 * each PaymentIntent outside any transaction, then applies Stripe's state in one short
 * conditional transaction that locks the order first, as every path does:
 * - `succeeded`: the charge is recorded by the webhook's own path ({@link recordStripeCharge}):
 *   `payment.succeeded` through the outbox, or a refund when the order was cancelled;
 * - still awaiting the buyer on a cancelled order: the PaymentIntent is canceled at Stripe first,
 *   so a late confirmation cannot charge; if it succeeded meanwhile, it is recorded and refunded;
 * - awaiting the buyer otherwise: a confirmation lost with its process is released, so the buyer
 *   can pay again; a decline is recorded.
 * Runs on `createBackgroundLoop`. Safe with several replicas: claims take their rows with
 * `FOR UPDATE SKIP LOCKED`, so replicas skip each other's, and every change is conditional on the
 * state it expects, so a webhook racing the reconciler is applied once.
 */
export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { db, stripe, refunds, metrics } = options;
  const logger = options.logger.child({ component: 'reconciler' });

  async function stripeState(candidate: ReconcileCandidate): Promise<IntentState> {
    const state = await stripe.retrieveIntent(candidate.intentId);
    if (candidate.orderStatus !== 'cancelled' || !awaitingBuyer.has(state.status)) return state;
    try {
      return await stripe.cancelIntent(candidate.intentId);
    } catch (err) {
      // Confirmed between the two calls: what it became decides.
      if (err instanceof IntentStateError) return stripe.retrieveIntent(candidate.intentId);
      throw err;
    }
  }

  function apply(candidate: ReconcileCandidate, state: IntentState): Promise<ReconcileOutcome> {
    return db.transaction(async (tx): Promise<ReconcileOutcome> => {
      const locked = await ordersRepo.lock(tx, candidate.orderId);
      const payment = await paymentsRepo.findByOrder(tx, candidate.orderId);
      if (!payment) return 'unchanged';
      if (state.status === 'succeeded') {
        const recorded = await recordStripeCharge(
          tx,
          payment,
          locked?.order ?? null,
          options.payoutHoldSeconds,
          options.clock,
          state.latestCharge,
        );
        if (recorded.kind === 'unchanged') return 'unchanged';
        return recorded.kind === 'succeeded' ? 'succeeded' : 'refund_due';
      }
      if (state.status === 'canceled') {
        return (await reconcilerRepo.markCanceled(tx, payment.id)) ? 'canceled' : 'unchanged';
      }
      if (!awaitingBuyer.has(state.status)) return 'unchanged';
      const declined = state.lastPaymentError;
      if (payment.status === 'processing') {
        const released = await paymentsRepo.settleAttempt(
          tx,
          payment.id,
          candidate.attempts,
          declined
            ? { status: 'failed', lastError: declined }
            : { status: payment.lastError ? 'failed' : 'requires_payment_method' },
        );
        return released ? 'released' : 'unchanged';
      }
      if (declined && payment.status !== 'failed') {
        return (await paymentsRepo.recordFailure(tx, payment.id, declined)) ? 'declined' : 'unchanged';
      }
      return 'unchanged';
    });
  }

  async function reconcileOne(candidate: ReconcileCandidate): Promise<ReconcileOutcome> {
    const context = {
      paymentId: candidate.id,
      orderId: candidate.orderId,
      paymentIntentId: candidate.intentId,
    };
    let outcome: ReconcileOutcome;
    try {
      const state = await stripeState(candidate);
      outcome = await apply(candidate, state);
      if (outcome !== 'unchanged') {
        logger.warn({ ...context, stripeStatus: state.status, outcome }, 'payment reconciled with Stripe');
      }
    } catch (err) {
      logger.warn({ ...context, err }, 'payment could not be reconciled; will retry');
      outcome = 'error';
    }
    metrics?.reconciled.inc({ outcome });
    if (outcome === 'succeeded' || outcome === 'refund_due') metrics?.succeeded.inc();
    if (outcome === 'refund_due') refunds.wake();
    return outcome;
  }

  async function reconcileDue(): Promise<ReconcileOutcome[]> {
    const outcomes: ReconcileOutcome[] = [];
    for (;;) {
      const batch = await reconcilerRepo.claimDue(db, options);
      for (const candidate of batch) outcomes.push(await reconcileOne(candidate));
      if (batch.length < options.batchSize) return outcomes;
    }
  }

  const loop = createBackgroundLoop({
    name: 'reconciler',
    logger: options.logger,
    intervalMs: options.intervalMs,
    pass: reconcileDue,
  });
  return { reconcileDue, start: loop.start, stop: loop.stop };
}
