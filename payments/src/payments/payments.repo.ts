import { enqueue } from '@glotixz/common/bus';
import { paymentRefundedSubject, paymentSucceededSubject } from '@glotixz/common/events';
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { PaymentsDb, PaymentsExecutor, PaymentsTx } from '../db/db';
import { orders, payments, type PaymentError, type PaymentRow, type PaymentStatus } from '../db/schema';

/** Statuses in which Stripe has not (yet) taken the money: a new attempt or a failure may apply. */
export const openStatuses = [
  'requires_payment_method',
  'processing',
  'failed',
] as const satisfies readonly PaymentStatus[];

/** A confirmation older than this is presumed lost with its process and no longer blocks a retry. */
const staleAttemptSeconds = 60;

function seconds(value: number) {
  return sql`make_interval(secs => ${value}::double precision)`;
}

/**
 * Data access for payments. Every status change is a conditional UPDATE on the status it expects,
 * run while the caller holds the order's row lock (see `ordersRepo.lock`), so racing webhooks,
 * buyers and cancellations apply one at a time and never move a payment backwards.
 */
export const paymentsRepo = {
  async findByOrder(db: PaymentsExecutor, orderId: string): Promise<PaymentRow | null> {
    const [row] = await db.select().from(payments).where(eq(payments.orderId, orderId)).limit(1);
    return row ?? null;
  },

  async findByIntent(db: PaymentsExecutor, intentId: string): Promise<PaymentRow | null> {
    const [row] = await db
      .select()
      .from(payments)
      .where(eq(payments.stripePaymentIntentId, intentId))
      .limit(1);
    return row ?? null;
  },

  /** Records the order's PaymentIntent. The order's lock is held, so no other insert can race it. */
  async insert(
    tx: PaymentsTx,
    input: { orderId: string; intentId: string; clientSecret: string; amount: number; currency: string },
  ): Promise<PaymentRow> {
    const [row] = await tx
      .insert(payments)
      .values({
        orderId: input.orderId,
        stripePaymentIntentId: input.intentId,
        clientSecret: input.clientSecret,
        amount: input.amount,
        currency: input.currency,
        status: 'requires_payment_method',
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  /**
   * Starts a server-side confirmation: `processing`, one more attempt. Only from a status that
   * takes a new card, or from a `processing` whose confirmation started long enough ago to be lost.
   * `null` when another confirmation is (or may still be) in flight.
   */
  async claimAttempt(tx: PaymentsTx, id: string): Promise<PaymentRow | null> {
    const [row] = await tx
      .update(payments)
      .set({
        status: 'processing',
        attempts: sql`${payments.attempts} + 1`,
        attemptStartedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(payments.id, id),
          or(
            inArray(payments.status, ['requires_payment_method', 'failed']),
            and(
              eq(payments.status, 'processing'),
              or(
                isNull(payments.attemptStartedAt),
                sql`${payments.attemptStartedAt} < now() - ${seconds(staleAttemptSeconds)}`,
              ),
            ),
          ),
        ),
      )
      .returning();
    return row ?? null;
  },

  /**
   * Ends attempt `attempt` with `status` (`failed` with the decline reason, or back to what it was
   * when Stripe could not be asked), unless the webhook or a newer attempt got there first;
   * answers whether it did.
   */
  async settleAttempt(
    db: PaymentsExecutor,
    id: string,
    attempt: number,
    outcome: { status: 'requires_payment_method' | 'failed'; lastError?: PaymentError | null },
  ): Promise<boolean> {
    const updated = await db
      .update(payments)
      .set({
        status: outcome.status,
        ...(outcome.lastError === undefined ? {} : { lastError: outcome.lastError }),
        attemptStartedAt: null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(payments.id, id), eq(payments.attempts, attempt), inArray(payments.status, openStatuses)))
      .returning({ id: payments.id });
    return updated.length > 0;
  },

  /**
   * Stripe took the money. For an order still awaiting payment: `succeeded` and
   * `payment.succeeded` in this transaction (I1). For a cancelled order: `refund_pending`, and the
   * refund worker gives it back (I6). Only from an open status, so a replayed or late event is a no-op.
   */
  async recordCharge(
    tx: PaymentsTx,
    id: string,
    refund: boolean,
    chargeId: string | null = null,
  ): Promise<PaymentRow | null> {
    const [row] = await tx
      .update(payments)
      .set({
        status: refund ? 'refund_pending' : 'succeeded',
        stripeChargeId: chargeId,
        lastError: null,
        attemptStartedAt: null,
        succeededAt: sql`now()`,
        nextRefundAt: refund ? sql`now()` : null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(payments.id, id), inArray(payments.status, openStatuses)))
      .returning();
    if (!row) return null;
    if (!refund) {
      await enqueue(tx, paymentSucceededSubject, {
        id: row.id,
        orderId: row.orderId,
        stripePaymentIntentId: row.stripePaymentIntentId,
        amount: row.amount,
        currency: row.currency,
      });
    }
    return row;
  },

  /** Stripe declined the attempt: `failed` with the reason, only while the payment is still open. */
  async recordFailure(tx: PaymentsTx, id: string, reason: PaymentError): Promise<boolean> {
    const updated = await tx
      .update(payments)
      .set({ status: 'failed', lastError: reason, attemptStartedAt: null, updatedAt: sql`now()` })
      .where(and(eq(payments.id, id), inArray(payments.status, openStatuses)))
      .returning({ id: payments.id });
    return updated.length > 0;
  },

  /** The order was cancelled after its payment succeeded: the money is owed back (I6). */
  async markRefundDue(tx: PaymentsTx, orderId: string): Promise<PaymentRow | null> {
    const [row] = await tx
      .update(payments)
      .set({ status: 'refund_pending', nextRefundAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(payments.orderId, orderId), eq(payments.status, 'succeeded')))
      .returning();
    return row ?? null;
  },

  /**
   * The order was cancelled: an open payment of it is due for the reconciler's next pass at once
   * (whatever its backoff), so a charge that arrives without its webhook is refunded promptly and
   * an unpaid PaymentIntent is canceled.
   */
  async reconcileSoon(tx: PaymentsTx, orderId: string): Promise<void> {
    await tx
      .update(payments)
      .set({ reconcileAt: null })
      .where(and(eq(payments.orderId, orderId), inArray(payments.status, openStatuses)));
  },

  /**
   * Claims the next payment whose refund is due, in a short transaction of its own: the row is
   * locked (`SKIP LOCKED`, so replicas never take the same one) only while its `next_refund_at`
   * moves `leaseMs` ahead, so no other worker takes it while this one asks Stripe, and no row stays
   * locked during the call. Should the worker die, the refund is due again when the lease ends,
   * and the retry (same idempotency key) gets the same refund back.
   */
  async claimDueRefund(db: PaymentsDb, leaseMs: number): Promise<PaymentRow | null> {
    return db.transaction(async (tx) => {
      const [due] = await tx
        .select({ id: payments.id })
        .from(payments)
        .where(
          and(
            eq(payments.status, 'refund_pending'),
            or(isNull(payments.nextRefundAt), lte(payments.nextRefundAt, sql`now()`)),
          ),
        )
        .orderBy(asc(payments.nextRefundAt))
        .limit(1)
        .for('update', { skipLocked: true });
      if (!due) return null;
      const [row] = await tx
        .update(payments)
        .set({ nextRefundAt: sql`now() + ${seconds(leaseMs / 1000)}`, updatedAt: sql`now()` })
        .where(eq(payments.id, due.id))
        .returning();
      return row ?? null;
    });
  },

  /**
   * Records Stripe's refund (of a `refund_pending` payment, or of a `succeeded` one refunded by
   * `refundSale`) and enqueues `payment.refunded` in the same transaction (I1), naming
   * the buyer as the order replica knows them; `false` when the refund was recorded already
   * (another worker whose lease ran out got there first).
   */
  async markRefunded(
    tx: PaymentsTx,
    payment: PaymentRow,
    refundId: string,
    reason: string,
  ): Promise<boolean> {
    const [row] = await tx
      .update(payments)
      .set({
        status: 'refunded',
        stripeRefundId: refundId,
        refundedAt: sql`now()`,
        refundLastError: null,
        nextRefundAt: null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(payments.id, payment.id), inArray(payments.status, ['refund_pending', 'succeeded'])))
      .returning();
    if (!row) return false;
    const [order] = await tx
      .select({ userId: orders.userId })
      .from(orders)
      .where(eq(orders.id, row.orderId))
      .limit(1);
    await enqueue(tx, paymentRefundedSubject, {
      id: row.id,
      orderId: row.orderId,
      stripePaymentIntentId: row.stripePaymentIntentId,
      amount: row.amount,
      currency: row.currency,
      reason,
      ...(order ? { userId: order.userId } : {}),
    });
    return true;
  },

  /** A refund attempt failed: try again in `delayMs`. */
  async postponeRefund(db: PaymentsExecutor, id: string, delayMs: number, error: string): Promise<void> {
    await db
      .update(payments)
      .set({
        refundAttempts: sql`${payments.refundAttempts} + 1`,
        nextRefundAt: sql`now() + ${seconds(delayMs / 1000)}`,
        refundLastError: error,
        updatedAt: sql`now()`,
      })
      .where(and(eq(payments.id, id), eq(payments.status, 'refund_pending')));
  },
};
