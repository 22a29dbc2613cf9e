import { createBackgroundLoop } from '@glotixz/common/db';
import { desc, isNotNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { PaymentsDb } from '../db/db';
import { sales } from '../db/schema';
import type { PaymentMetrics } from '../payments/payment-metrics';
import type { StripeGateway } from '../stripe/stripe.gateway';

/** One disagreement between the ledger and what it books. */
export interface LedgerDifference {
  kind:
    'charge_not_booked' | 'refund_not_booked' | 'charge_mismatch' | 'refund_mismatch' | 'transfer_mismatch';
  orderId: string;
  detail: string;
}

/** Options of {@link createLedgerReconciler}. */
export interface LedgerReconcilerOptions {
  db: PaymentsDb;
  stripe: Pick<StripeGateway, 'retrieveTransfer' | 'amountReceived' | 'retrieveRefund'>;
  logger: Logger;
  metrics?: Pick<PaymentMetrics, 'ledgerDifferences' | 'ledgerReconciledAt'>;
  intervalMs: number;
  /** Charges, refunds and transfers each checked with Stripe per pass, most recent first. Default 100. */
  batchSize?: number;
}

/**
 * Compares the ledger with the records of Stripe's objects and with Stripe itself: every charge
 * and refund recorded is booked; what Stripe took for each recent charge (`amount_received`) and
 * gave back in each recent refund is what the ledger booked into and out of `stripe:balance`; and
 * each sale's transfer at Stripe (amount less amount reversed) is what the ledger moved out of
 * `stripe:balance` for it. Reports the count as the gauge `ledger_reconciliation_differences`,
 * beside `ledger_reconciliation_started_timestamp_seconds`, when the pass that counted them
 * started (set together, once the pass completed: a reading of both says whether the count covers
 * everything that happened before a given moment), and one log line per pass (a warning when they
 * differ). A pass that fails (Stripe unreachable) changes neither.
 */
export function createLedgerReconciler(options: LedgerReconcilerOptions) {
  const { db, stripe, metrics } = options;
  const batchSize = options.batchSize ?? 100;
  const logger = options.logger.child({ component: 'ledger-reconciler' });

  async function reconcile(): Promise<LedgerDifference[]> {
    const startedAt = new Date();
    const differences: LedgerDifference[] = [];
    const unbooked = await db.execute<{ order_id: string; kind: 'charge' | 'refund' }>(sql`
      select p.order_id, 'charge' as kind from payments p
       where p.status in ('succeeded', 'refund_pending', 'refunded')
         and not exists (select 1 from ledger_transactions t where t.kind = 'charge' and t.order_id = p.order_id)
      union all
      select p.order_id, 'refund' as kind from payments p
       where p.status = 'refunded'
         and not exists (select 1 from ledger_transactions t where t.kind = 'refund' and t.order_id = p.order_id)
      limit ${batchSize}`);
    for (const row of unbooked.rows) {
      differences.push({
        kind: row.kind === 'charge' ? 'charge_not_booked' : 'refund_not_booked',
        orderId: row.order_id,
        detail: `the ${row.kind} is recorded but not in the ledger`,
      });
    }
    const booked = await db.execute<{
      order_id: string;
      kind: 'charge' | 'refund';
      reference: string;
      moved: string;
    }>(sql`
      select t.order_id, t.kind, t.reference, sum(e.amount)::text as moved
        from ledger_transactions t join ledger_entries e on e.transaction_id = t.id
       where t.kind in ('charge', 'refund') and e.account = 'stripe:balance'
         and t.id in (select id from ledger_transactions where kind in ('charge', 'refund')
                       order by created_at desc limit ${batchSize * 2})
       group by t.id, t.order_id, t.kind, t.reference`);
    for (const row of booked.rows) {
      const moved = Math.abs(Number(row.moved));
      // A dashboard refund is recorded under its charge's id (`ch_…`): there is no refund to fetch.
      if (row.kind === 'refund' && !row.reference.startsWith('re_')) continue;
      const atStripe =
        row.kind === 'charge'
          ? (await stripe.amountReceived(row.reference)).amount
          : (await stripe.retrieveRefund(row.reference)).amount;
      if (atStripe !== moved) {
        differences.push({
          kind: row.kind === 'charge' ? 'charge_mismatch' : 'refund_mismatch',
          orderId: row.order_id,
          detail: `Stripe's ${row.reference} is ${atStripe}, the ledger booked ${moved}`,
        });
      }
    }
    const transferred = await db
      .select({ orderId: sales.orderId, transferId: sales.stripeTransferId })
      .from(sales)
      .where(isNotNull(sales.stripeTransferId))
      .orderBy(desc(sales.updatedAt))
      .limit(batchSize);
    for (const { orderId, transferId } of transferred) {
      if (!transferId) continue;
      const transfer = await stripe.retrieveTransfer(transferId);
      const ledgerMoved = await db.execute<{ moved: string | null }>(sql`
        select -sum(e.amount) as moved from ledger_entries e
          join ledger_transactions t on t.id = e.transaction_id
         where t.order_id = ${orderId} and t.kind in ('transfer', 'reversal') and e.account = 'stripe:balance'`);
      const moved = Number(ledgerMoved.rows[0]?.moved ?? 0);
      const atStripe = transfer.amount - transfer.amountReversed;
      if (moved !== atStripe) {
        differences.push({
          kind: 'transfer_mismatch',
          orderId,
          detail: `Stripe's transfer ${transferId} nets ${atStripe}, the ledger ${moved}`,
        });
      }
    }
    metrics?.ledgerDifferences.set(differences.length);
    metrics?.ledgerReconciledAt.set(startedAt.getTime() / 1000);
    const run = { startedAt: startedAt.toISOString(), checkedTransfers: transferred.length };
    if (differences.length > 0) {
      logger.warn(
        { ...run, differences: differences.length, sample: differences.slice(0, 20) },
        'ledger differs from Stripe',
      );
    } else {
      logger.info({ ...run, differences: 0 }, 'ledger agrees with Stripe');
    }
    return differences;
  }

  const loop = createBackgroundLoop({
    name: 'ledger-reconciler',
    logger: options.logger,
    intervalMs: options.intervalMs,
    pass: reconcile,
  });

  return { reconcile, start: loop.start, stop: loop.stop };
}
