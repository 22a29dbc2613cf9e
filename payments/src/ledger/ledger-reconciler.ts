import { createBackgroundLoop } from '@glotixz/common/db';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { PaymentsDb } from '../db/db';
import type { PaymentMetrics } from '../payments/payment-metrics';
import type { StripeGateway } from '../stripe/stripe.gateway';
import { compareOrder, type BookedMovement, type LedgerDifference } from './ledger-compare';

export type { LedgerDifference, LedgerDifferenceKind } from './ledger-compare';

/** Options of {@link createLedgerReconciler}. */
export interface LedgerReconcilerOptions {
  db: PaymentsDb;
  stripe: Pick<StripeGateway, 'amountReceived' | 'transfersOf' | 'refundsOf'>;
  logger: Logger;
  metrics?: Pick<PaymentMetrics, 'ledgerDifferences' | 'ledgerReconciledAt'>;
  intervalMs: number;
  /** Orders read from the database per page. Default 100. */
  batchSize?: number;
  /** Orders whose payment or sale changed this many days back are compared with Stripe. Default 7. */
  windowDays?: number;
  /** At most this many orders per pass (by order id); the log line says when a pass stopped there. Default 5000. */
  maxOrders?: number;
}

/** An order in the window: its payment, as the ledger's reconciliation compares it. */
type WindowOrder = {
  order_id: string;
  intent_id: string;
};

/**
 * Compares the ledger with Stripe, from both sides. In the database: every charge and refund
 * recorded is booked. Then, for every order whose payment or sale changed in the last
 * `windowDays` (read in pages of `batchSize`, by order id, at most `maxOrders`), Stripe is asked what it has of the order: the PaymentIntent's `amount_received`, every transfer
 * of the order's `transfer_group` and every refund of the PaymentIntent (all pages). A Stripe
 * object the ledger never booked (a transfer or refund made in the dashboard), a booking Stripe
 * does not have, and an amount that differs are each a difference (see {@link compareOrder}).
 * Reports the count as the gauge `ledger_reconciliation_differences`, beside
 * `ledger_reconciliation_started_timestamp_seconds`, when the pass that counted them started (set
 * together, once the pass completed: a reading of both says whether the count covers everything
 * that happened before a given moment), and one log line per pass naming them (a warning when
 * they differ). A pass that fails (Stripe unreachable) changes neither.
 */
export function createLedgerReconciler(options: LedgerReconcilerOptions) {
  const { db, stripe, metrics } = options;
  const batchSize = options.batchSize ?? 100;
  const windowDays = options.windowDays ?? 7;
  const maxOrders = options.maxOrders ?? 5000;
  const logger = options.logger.child({ component: 'ledger-reconciler' });

  async function unbookedRecords(): Promise<LedgerDifference[]> {
    const unbooked = await db.execute<{ order_id: string; kind: 'charge' | 'refund' }>(sql`
      select p.order_id, 'charge' as kind from payments p
       where p.status in ('succeeded', 'refund_pending', 'refunded')
         and not exists (select 1 from ledger_transactions t where t.kind = 'charge' and t.order_id = p.order_id)
      union all
      select p.order_id, 'refund' as kind from payments p
       where p.status = 'refunded'
         and not exists (select 1 from ledger_transactions t where t.kind = 'refund' and t.order_id = p.order_id)
      limit ${batchSize}`);
    return unbooked.rows.map((row) => ({
      kind: row.kind === 'charge' ? 'charge_not_booked' : 'refund_not_booked',
      orderId: row.order_id,
      detail: `the ${row.kind} is recorded but not in the ledger`,
    }));
  }

  /** The next page of the window's orders, after `after` (by order id). */
  async function windowPage(since: Date, after: string | null): Promise<WindowOrder[]> {
    const cutoff = sql`${since.toISOString()}::timestamptz`;
    const { rows } = await db.execute<WindowOrder>(sql`
      select p.order_id, p.stripe_payment_intent_id as intent_id from payments p
       where p.status in ('succeeded', 'refund_pending', 'refunded')
         and (p.updated_at >= ${cutoff}
              or p.order_id in (select s.order_id from sales s where s.updated_at >= ${cutoff}))
         ${after ? sql`and p.order_id > ${after}::uuid` : sql``}
       order by p.order_id
       limit ${batchSize}`);
    return rows;
  }

  /** The ledger's movements of the orders, each with what it moved in or out of `stripe:balance`. */
  async function bookedOf(orderIds: string[]): Promise<Map<string, BookedMovement[]>> {
    const { rows } = await db.execute<{
      order_id: string;
      kind: string;
      reference: string;
      balance: string;
    }>(sql`
      select t.order_id, t.kind, t.reference,
             coalesce(sum(e.amount) filter (where e.account = 'stripe:balance'), 0)::text as balance
        from ledger_transactions t left join ledger_entries e on e.transaction_id = t.id
       where t.order_id in (${sql.join(
         orderIds.map((id) => sql`${id}::uuid`),
         sql`, `,
       )})
       group by t.id, t.order_id, t.kind, t.reference`);
    const byOrder = new Map<string, BookedMovement[]>();
    for (const row of rows) {
      const list = byOrder.get(row.order_id) ?? [];
      list.push({ kind: row.kind, reference: row.reference, balance: Number(row.balance) });
      byOrder.set(row.order_id, list);
    }
    return byOrder;
  }

  async function compareWithStripe(
    order: WindowOrder,
    booked: BookedMovement[],
  ): Promise<LedgerDifference[]> {
    // Sequential: a failure leaves no call of the pass still running behind it.
    const received = await stripe.amountReceived(order.intent_id);
    const transfers = await stripe.transfersOf(order.order_id);
    const refunds = await stripe.refundsOf(order.intent_id);
    const live = refunds.filter((refund) => refund.status !== 'failed' && refund.status !== 'canceled');
    return compareOrder(order.order_id, order.intent_id, booked, {
      received: received.amount,
      transfers,
      refunds: live,
    });
  }

  async function reconcile(): Promise<LedgerDifference[]> {
    const startedAt = new Date();
    const since = new Date(startedAt.getTime() - windowDays * 86_400_000);
    const differences = await unbookedRecords();
    let checkedOrders = 0;
    let after: string | null = null;
    while (checkedOrders < maxOrders) {
      const page = (await windowPage(since, after)).slice(0, maxOrders - checkedOrders);
      if (page.length === 0) break;
      const booked = await bookedOf(page.map((order) => order.order_id));
      for (const order of page) {
        differences.push(...(await compareWithStripe(order, booked.get(order.order_id) ?? [])));
      }
      checkedOrders += page.length;
      after = page[page.length - 1]!.order_id;
      if (page.length < batchSize) break;
    }
    metrics?.ledgerDifferences.set(differences.length);
    metrics?.ledgerReconciledAt.set(startedAt.getTime() / 1000);
    const run = {
      startedAt: startedAt.toISOString(),
      checkedOrders,
      windowDays,
      ...(checkedOrders >= maxOrders ? { stoppedAtMaxOrders: maxOrders } : {}),
    };
    if (differences.length > 0) {
      const kinds: Record<string, number> = {};
      for (const difference of differences) kinds[difference.kind] = (kinds[difference.kind] ?? 0) + 1;
      logger.warn(
        {
          ...run,
          differences: differences.length,
          kinds,
          references: differences.flatMap((d) => (d.reference ? [d.reference] : [])).slice(0, 50),
          sample: differences.slice(0, 20),
        },
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
