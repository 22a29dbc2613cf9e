import { backoffDelay, type BackoffOptions } from '@glotixz/common/bus';
import type { Logger } from 'pino';
import type { PaymentsDb } from '../db/db';
import type { PaymentMetrics } from '../payments/payment-metrics';
import { paymentsRepo } from '../payments/payments.repo';
import type { StripeGateway } from '../stripe/stripe.gateway';

/** Why payments refunds a charge on its own: the order was cancelled before the money arrived. */
export const refundReason = 'order_cancelled';

/** Tells the refund worker that a refund may have become due (after the transaction committed). */
export interface RefundTrigger {
  wake(): void;
}

/** Options of {@link createRefundWorker}. */
export interface RefundWorkerOptions {
  db: PaymentsDb;
  stripe: Pick<StripeGateway, 'refund'>;
  logger: Logger;
  /** Backstop poll, for refunds marked due by another replica or postponed after a failure. */
  intervalMs: number;
  metrics?: Pick<PaymentMetrics, 'refunded'>;
  /** Delay before retrying a refund Stripe refused or could not take. Default 1 s doubling to 5 min. */
  backoff?: BackoffOptions;
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
 * Creates the refund worker. Each refund runs in its own transaction: lock one due
 * `refund_pending` payment (`FOR UPDATE SKIP LOCKED`, so replicas never work on the same one), ask
 * Stripe for the refund with the idempotency key `refund-<paymentId>`, then mark it `refunded`
 * and enqueue `payment.refunded` (I1). A crash between Stripe's answer and the commit retries with
 * the same key and gets the same refund back, so a charge is never refunded twice. A failed
 * attempt is postponed with exponential backoff.
 */
export function createRefundWorker(options: RefundWorkerOptions): RefundWorker {
  const { db, stripe, intervalMs } = options;
  const backoff = options.backoff ?? defaultBackoff;
  const logger = options.logger.child({ component: 'refund-worker' });

  let stopped = true;
  let loop: Promise<void> | undefined;
  let wakeRequested = false;
  let wakeUp: (() => void) | undefined;

  async function refundOne(): Promise<'refunded' | 'postponed' | 'idle'> {
    return db.transaction(async (tx) => {
      const payment = await paymentsRepo.claimDueRefund(tx);
      if (!payment) return 'idle';
      const context = { paymentId: payment.id, orderId: payment.orderId };
      let refundId: string;
      try {
        ({ id: refundId } = await stripe.refund({
          paymentId: payment.id,
          orderId: payment.orderId,
          intentId: payment.stripePaymentIntentId,
          reason: refundReason,
        }));
      } catch (err) {
        const attempts = payment.refundAttempts + 1;
        const retryInMs = backoffDelay(attempts, backoff);
        await paymentsRepo.postponeRefund(tx, payment.id, retryInMs, errorMessage(err));
        logger.warn({ ...context, err, attempts, retryInMs }, 'refund failed; will retry');
        return 'postponed';
      }
      await paymentsRepo.markRefunded(tx, payment, refundId, refundReason);
      logger.info(
        { ...context, refundId, amount: payment.amount, currency: payment.currency },
        'payment refunded',
      );
      return 'refunded';
    });
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

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      wakeRequested = false;
      let pauseMs = intervalMs;
      try {
        await refundDue();
        failures = 0;
      } catch (err) {
        failures += 1;
        pauseMs = Math.min(intervalMs, backoffDelay(failures, backoff));
        logger.error({ err, retryInMs: pauseMs }, 'refund pass failed');
      }
      if (!stopped && !wakeRequested) await sleep(pauseMs);
    }
  }

  return {
    refundDue,
    wake() {
      wakeRequested = true;
      wakeUp?.();
    },
    start() {
      if (!stopped) return;
      stopped = false;
      logger.info({ intervalMs }, 'refund worker started');
      loop = run();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      wakeUp?.();
      await loop;
      logger.info('refund worker stopped');
    },
  };
}
