import { and, asc, desc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { PaymentsDb, PaymentsExecutor, PaymentsTx } from '../db/db';
import { payments, sales, sellerAccounts, type OrderRow, type PaymentRow, type SaleRow } from '../db/schema';

function seconds(value: number) {
  return sql`make_interval(secs => ${value}::double precision)`;
}

/** A moment of the payout clock as a bound parameter. */
function at(moment: Date) {
  return sql`${moment.toISOString()}::timestamptz`;
}

/** A sale claimed for its transfer, with the seller's connected account and the order's charge. */
export interface ClaimedSale {
  sale: SaleRow;
  destination: string;
  /** The succeeded Charge of the order's payment, when it was recorded with it. */
  chargeId: string | null;
  /** The order's PaymentIntent, to ask Stripe for its charge when `chargeId` is not known. */
  intentId: string | null;
}

/** Data access for sales, the seller's side of a paid order. */
export const salesRepo = {
  /**
   * Schedules the sale of a paid order (once: a repeat changes nothing): its transfer is due
   * `holdSeconds` after the event starts, or after `now` (the payout clock's) when the event
   * started already or the order did not name its event.
   */
  async insert(
    tx: PaymentsTx,
    order: OrderRow,
    payment: PaymentRow,
    holdSeconds: number,
    now: Date,
  ): Promise<void> {
    if (!order.sellerId) return;
    const fee = order.fee ?? 0;
    const start = order.eventStartsAt && order.eventStartsAt > now ? order.eventStartsAt : now;
    await tx
      .insert(sales)
      .values({
        orderId: order.id,
        sellerId: order.sellerId,
        title: order.title,
        gross: payment.amount,
        fee,
        net: payment.amount - fee,
        currency: payment.currency,
        status: 'scheduled',
        transferAt: sql`${at(start)} + ${seconds(holdSeconds)}`,
      })
      .onConflictDoNothing();
  },

  async find(db: PaymentsExecutor, orderId: string): Promise<SaleRow | null> {
    const [row] = await db.select().from(sales).where(eq(sales.orderId, orderId)).limit(1);
    return row ?? null;
  },

  async lock(tx: PaymentsTx, orderId: string): Promise<SaleRow | null> {
    const [row] = await tx.select().from(sales).where(eq(sales.orderId, orderId)).limit(1).for('update');
    return row ?? null;
  },

  /** The seller's sales, newest first, with whether the seller's account is enabled. */
  async listForSeller(db: PaymentsExecutor, sellerId: string, limit: number): Promise<SaleRow[]> {
    return db
      .select()
      .from(sales)
      .where(eq(sales.sellerId, sellerId))
      .orderBy(desc(sales.createdAt))
      .limit(limit);
  },

  /**
   * Claims one sale whose transfer is due at `now` (the payout clock's), in a short transaction
   * of its own: due (`transfer_at` passed, not waiting out a lease or a backoff), no refund asked,
   * the seller's account enabled.
   * The row is locked (`SKIP LOCKED`: replicas never take the same one) only while its
   * `next_attempt_at` moves `leaseMs` ahead; should the worker die, the sale is due again when the
   * lease ends, and the retry (same idempotency key) gets the same transfer back.
   */
  async claimDue(db: PaymentsDb, leaseMs: number, now: Date): Promise<ClaimedSale | null> {
    return db.transaction(async (tx) => {
      const [due] = await tx
        .select({
          orderId: sales.orderId,
          destination: sellerAccounts.stripeAccountId,
          chargeId: payments.stripeChargeId,
          intentId: payments.stripePaymentIntentId,
        })
        .from(sales)
        .innerJoin(sellerAccounts, eq(sellerAccounts.userId, sales.sellerId))
        .leftJoin(payments, eq(payments.orderId, sales.orderId))
        .where(
          and(
            inArray(sales.status, ['scheduled', 'failed']),
            lte(sales.transferAt, at(now)),
            or(isNull(sales.nextAttemptAt), lte(sales.nextAttemptAt, at(now))),
            isNull(sales.refundRequestedAt),
            eq(sellerAccounts.status, 'enabled'),
          ),
        )
        .orderBy(asc(sales.transferAt))
        .limit(1)
        .for('update', { of: sales, skipLocked: true });
      if (!due) return null;
      const [sale] = await tx
        .update(sales)
        .set({ nextAttemptAt: sql`${at(now)} + ${seconds(leaseMs / 1000)}`, updatedAt: sql`now()` })
        .where(eq(sales.orderId, due.orderId))
        .returning();
      return sale
        ? { sale, destination: due.destination, chargeId: due.chargeId, intentId: due.intentId }
        : null;
    });
  },

  /** Records the transfer: `paid`, unless it was recorded already. Answers whether it did. */
  async markPaid(tx: PaymentsTx, orderId: string, transferId: string): Promise<SaleRow | null> {
    const [row] = await tx
      .update(sales)
      .set({
        status: 'paid',
        stripeTransferId: transferId,
        paidAt: sql`now()`,
        lastError: null,
        nextAttemptAt: null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(sales.orderId, orderId), inArray(sales.status, ['scheduled', 'failed'])))
      .returning();
    return row ?? null;
  },

  /** A transfer attempt failed at `now`: `failed` with the reason, tried again `delayMs` later. */
  async markFailed(
    db: PaymentsExecutor,
    orderId: string,
    now: Date,
    delayMs: number,
    error: string,
  ): Promise<void> {
    await db
      .update(sales)
      .set({
        status: 'failed',
        attempts: sql`${sales.attempts} + 1`,
        lastError: error.slice(0, 1000),
        nextAttemptAt: sql`${at(now)} + ${seconds(delayMs / 1000)}`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(sales.orderId, orderId), inArray(sales.status, ['scheduled', 'failed'])));
  },

  /** A refund is asked: no transfer starts from now on. */
  async requestRefund(tx: PaymentsTx, orderId: string): Promise<void> {
    await tx
      .update(sales)
      .set({ refundRequestedAt: sql`coalesce(${sales.refundRequestedAt}, now())`, updatedAt: sql`now()` })
      .where(eq(sales.orderId, orderId));
  },

  async recordReversal(tx: PaymentsTx, orderId: string, reversalId: string): Promise<boolean> {
    const updated = await tx
      .update(sales)
      .set({ stripeReversalId: reversalId, updatedAt: sql`now()` })
      .where(and(eq(sales.orderId, orderId), isNull(sales.stripeReversalId)))
      .returning({ orderId: sales.orderId });
    return updated.length > 0;
  },

  /** The buyer was refunded: the sale is `reversed` (its payout cancelled, or reversed). */
  async markReversed(tx: PaymentsTx, orderId: string): Promise<void> {
    await tx
      .update(sales)
      .set({ status: 'reversed', reversedAt: sql`now()`, nextAttemptAt: null, updatedAt: sql`now()` })
      .where(and(eq(sales.orderId, orderId), sql`${sales.status} <> 'reversed'`));
  },
};
