import { backoffDelay, type BackoffOptions } from '@glotixz/common/bus';
import { createBackgroundLoop } from '@glotixz/common/db';
import type { Logger } from 'pino';
import type { PaymentsDb } from '../db/db';
import type { PaymentMetrics } from '../payments/payment-metrics';
import { paymentsRepo } from '../payments/payments.repo';
import { createSaleRefunder, type RefundStripe, type SaleRefunder } from '../payouts/refund-sale';

/** Why payments refunds a charge on its own: the order was cancelled before the money arrived. */
export const refundReason = 'order_cancelled';

/** Tells the refund worker that a refund may have become due (after the transaction committed). */
export interface RefundTrigger {
  wake(): void;
}

/** Options of {@link createRefundWorker}. */
export interface RefundWorkerOptions {
  db: PaymentsDb;
  stripe: RefundStripe;
  /** The one refund path; made from `db`, `stripe` and `logger` when not given. */
  refunder?: SaleRefunder;
  logger: Logger;
  /** Backstop poll, for refunds marked due by another replica or postponed after a failure. */
  intervalMs: number;
  metrics?: Pick<PaymentMetrics, 'refunded'>;
  /** Delay before retrying a refund Stripe refused or could not take. Default 1 s doubling to 5 min. */
  backoff?: BackoffOptions;
  /**
   * How long a claimed refund is left to its worker before another may take it: longer than a
   * Stripe call can last with its retries. Default 60 s.
   */
  claimMs?: number;
}

/** The loop that gives back charges whose order was cancelled (I6). */
export interface RefundWorker extends RefundTrigger {
  /** Issues every refund that is due now; answers how many succeeded. */
  refundDue(): Promise<number>;
  /** Refunds now, then whenever woken and every `intervalMs`, until {@link RefundWorker.stop}. */
  start(): void;
  /** Stops the loop and waits for a refund in progress to commit or roll back. */
  stop(): Promise<void>;
}

const defaultBackoff: BackoffOptions = { baseMs: 1_000, capMs: 300_000 };
/** Refunds issued per wake-up before the loop yields to a new poll. */
const maxPerDrain = 100;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Creates the refund worker. Each refund is claim, call, record, and Stripe is never called while
 * a row is locked or a transaction is open: one statement claims a due `refund_pending` payment
 * (`FOR UPDATE SKIP LOCKED` inside it, so replicas never take the same one) by moving its due
 * time a lease ahead; `refundSale` asks Stripe for the refund with the idempotency key
 * `refund-<paymentId>`, and one short transaction marks it `refunded`, books it and enqueues
 * `payment.refunded` (I1), only if it is not refunded yet. A crash anywhere retries, after the lease, with the
 * same key and gets the same refund back, so a charge is never refunded twice. A failed attempt
 * is postponed with exponential backoff.
 */
export function createRefundWorker(options: RefundWorkerOptions): RefundWorker {
  const { db, intervalMs } = options;
  const refunder = options.refunder ?? createSaleRefunder(options);
  const backoff = options.backoff ?? defaultBackoff;
  const claimMs = options.claimMs ?? 60_000;
  const logger = options.logger.child({ component: 'refund-worker' });

  async function refundOne(): Promise<'refunded' | 'postponed' | 'recorded-elsewhere' | 'idle'> {
    const payment = await paymentsRepo.claimDueRefund(db, claimMs);
    if (!payment) return 'idle';
    const context = { paymentId: payment.id, orderId: payment.orderId };
    let outcome: Awaited<ReturnType<SaleRefunder['refundSale']>>;
    try {
      outcome = await refunder.refundSale(payment.orderId, refundReason);
    } catch (err) {
      const attempts = payment.refundAttempts + 1;
      const retryInMs = backoffDelay(attempts, backoff);
      await paymentsRepo.postponeRefund(db, payment.id, retryInMs, errorMessage(err));
      logger.warn({ ...context, err, attempts, retryInMs }, 'refund failed; will retry');
      return 'postponed';
    }
    if (outcome !== 'refunded') return 'recorded-elsewhere';
    logger.info({ ...context, amount: payment.amount, currency: payment.currency }, 'payment refunded');
    return 'refunded';
  }

  async function refundDue(): Promise<number> {
    let refunded = 0;
    for (let i = 0; i < maxPerDrain; i += 1) {
      const outcome = await refundOne();
      if (outcome === 'idle') break;
      if (outcome === 'refunded') {
        refunded += 1;
        options.metrics?.refunded.inc();
      }
    }
    return refunded;
  }

  const loop = createBackgroundLoop({
    name: 'refund-worker',
    logger: options.logger,
    intervalMs,
    pass: refundDue,
    backoff: { baseMs: backoff.baseMs, capMs: intervalMs },
  });

  return { refundDue, wake: loop.wake, start: loop.start, stop: loop.stop };
}
