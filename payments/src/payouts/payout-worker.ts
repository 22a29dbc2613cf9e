import { backoffDelay, type BackoffOptions } from '@glotixz/common/bus';
import { createBackgroundLoop } from '@glotixz/common/db';
import type { Logger } from 'pino';
import type { PaymentsDb } from '../db/db';
import { accounts, book } from '../ledger/ledger';
import type { PaymentMetrics } from '../payments/payment-metrics';
import type { StripeGateway } from '../stripe/stripe.gateway';
import type { Clock } from './clock';
import type { SaleRefunder } from './refund-sale';
import { salesRepo, type ClaimedSale } from './sales.repo';

/** Options of {@link createPayoutWorker}. */
export interface PayoutWorkerOptions {
  db: PaymentsDb;
  stripe: Pick<StripeGateway, 'createTransfer' | 'transfersOf' | 'chargeOf'>;
  refunder: Pick<SaleRefunder, 'reverseTransfers'>;
  logger: Logger;
  /** The payout clock: which sales are due, and when a lease or a backoff ends. */
  clock: Clock;
  /** Backstop poll: sales become due with time, so the loop simply polls. */
  intervalMs: number;
  /** How long a claimed sale is left to its worker: longer than a Stripe call with its retries. */
  claimMs?: number;
  /** Delay before retrying a failed transfer. Default 1 min doubling to 6 h. */
  backoff?: BackoffOptions;
  /** `payouts_checked_timestamp_seconds`: the clock's time at which the last completed pass started. */
  metrics?: Pick<PaymentMetrics, 'payoutsCheckedAt'>;
}

/** The loop that pays sellers their due sales. */
export interface PayoutWorker {
  /** Transfers every sale that is due now (by the clock); answers how many were paid. */
  payDue(): Promise<number>;
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

const defaultBackoff: BackoffOptions = { baseMs: 60_000, capMs: 6 * 3_600_000 };
const maxPerDrain = 100;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Creates the payout worker: claim (SKIP LOCKED, with a lease), call Stripe outside any
 * transaction (`payout-<orderId>`: a retry or a second replica gets the same transfer; the
 * transfer's `source_transaction` is the order's charge, so it is made even while the charge's
 * funds are still pending), record
 * the transfer and book it in one transaction. A failure (the account restricted, the balance
 * short) leaves the sale `failed` with its error, retried with backoff. A transfer that lands
 * after its sale was refunded (the refund raced the call) is reversed at once.
 */
export function createPayoutWorker(options: PayoutWorkerOptions): PayoutWorker {
  const { db, stripe, refunder, clock, intervalMs } = options;
  const claimMs = options.claimMs ?? 60_000;
  const backoff = options.backoff ?? defaultBackoff;
  const logger = options.logger.child({ component: 'payout-worker' });

  /** The order's charge, which funds its transfer: as recorded, or (older payments) from Stripe. */
  async function chargeOf({ chargeId, intentId }: ClaimedSale): Promise<string | null> {
    if (chargeId) return chargeId;
    return intentId ? stripe.chargeOf(intentId) : null;
  }

  async function payOne(): Promise<'paid' | 'failed' | 'recorded-elsewhere' | 'idle'> {
    const claimed = await salesRepo.claimDue(db, claimMs, clock.now());
    if (!claimed) return 'idle';
    const { sale, destination } = claimed;
    const context = { orderId: sale.orderId, sellerId: sale.sellerId, destination };
    let transfer;
    try {
      // After a failure whose outcome was unclear (a timeout), the transfer may exist: look first.
      const [made] = sale.attempts > 0 ? await stripe.transfersOf(sale.orderId) : [];
      transfer =
        made ??
        (await stripe.createTransfer({
          orderId: sale.orderId,
          amount: sale.net,
          currency: sale.currency,
          destination,
          sourceTransaction: await chargeOf(claimed),
          attempt: sale.attempts,
        }));
    } catch (err) {
      const attempts = sale.attempts + 1;
      const retryInMs = backoffDelay(attempts, backoff);
      await salesRepo.markFailed(db, sale.orderId, clock.now(), retryInMs, errorMessage(err));
      logger.warn({ ...context, err, attempts, retryInMs }, 'payout failed; will retry');
      return 'failed';
    }
    const recorded = await db.transaction(async (tx) => {
      const paid = await salesRepo.markPaid(tx, sale.orderId, transfer.id);
      if (!paid) return null;
      await book(tx, {
        kind: 'transfer',
        reference: transfer.id,
        orderId: sale.orderId,
        currency: transfer.currency,
        entries: [
          { account: accounts.sellerPayable(sale.sellerId), amount: transfer.amount },
          { account: accounts.stripeBalance, amount: -transfer.amount },
        ],
      });
      return paid;
    });
    const now = recorded ?? (await salesRepo.find(db, sale.orderId));
    if (now?.refundRequestedAt) {
      logger.warn(context, 'sale refunded while its payout was made; reversing it');
      await refunder.reverseTransfers(sale.orderId);
    }
    if (!recorded) return 'recorded-elsewhere';
    logger.info({ ...context, transferId: transfer.id, amount: transfer.amount }, 'seller paid');
    return 'paid';
  }

  async function payDue(): Promise<number> {
    const startedAt = clock.now();
    let paid = 0;
    let drained = false;
    for (let i = 0; i < maxPerDrain; i += 1) {
      const outcome = await payOne();
      if (outcome === 'idle') {
        drained = true;
        break;
      }
      if (outcome === 'paid') paid += 1;
    }
    // Only a pass that found nothing more due vouches for every sale due when it started.
    if (drained) options.metrics?.payoutsCheckedAt.set(startedAt.getTime() / 1000);
    return paid;
  }

  const loop = createBackgroundLoop({
    name: 'payout-worker',
    logger: options.logger,
    intervalMs,
    pass: payDue,
    backoff: { baseMs: 1_000, capMs: intervalMs },
  });

  return { payDue, start: loop.start, wake: loop.wake, stop: loop.stop };
}
