import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PaymentsExecutor } from '../db/db';
import type { OrderStatus } from '@glotixz/common/events';
import { payments, type PaymentStatus } from '../db/schema';
import { openStatuses } from '../payments/payments.repo';

/** A payment the reconciler claimed, to ask Stripe about. */
export interface ReconcileCandidate {
  id: string;
  orderId: string;
  intentId: string;
  status: PaymentStatus;
  /** The attempt in flight (or last ended) when it was claimed. */
  attempts: number;
  orderStatus: OrderStatus;
}

/** Which payments are due for a check, and how checks back off. */
export interface ClaimRules {
  /** A payment still open this long after its PaymentIntent was created is checked. */
  openAfterSeconds: number;
  /** A confirmation started this long ago is presumed lost with its process. */
  staleAttemptSeconds: number;
  /** Each check of a payment doubles the pause before its next one, from `openAfterSeconds` to this. */
  backoffCapSeconds: number;
  batchSize: number;
}

/** Data access of the reconciler. */
export const reconcilerRepo = {
  /**
   * Claims up to `batchSize` payments Stripe may have settled without us hearing of it: open past
   * `openAfterSeconds` (the webhook never came), open while their order is cancelled (a charge
   * after the cancellation is owed back; an unpaid PaymentIntent is to be canceled), or stuck in a
   * confirmation that started over `staleAttemptSeconds` ago (its process died). One statement,
   * so nothing stays locked while Stripe is asked: `SKIP LOCKED` keeps replicas off each other's
   * rows, and `reconcile_at` moves ahead (backing off per check), so the claimed rows are left
   * alone until then.
   */
  async claimDue(db: PaymentsExecutor, rules: ClaimRules): Promise<ReconcileCandidate[]> {
    const { rows } = await db.execute<{
      id: string;
      order_id: string;
      stripe_payment_intent_id: string;
      status: PaymentStatus;
      attempts: number;
      order_status: OrderStatus;
    }>(sql`
      -- materialized: the rows are picked and locked once, never re-evaluated per updated row
      with due as materialized (
        select p.id, o.status as order_status
          from payments p
          join orders o on o.id = p.order_id
         where (
                 (p.status in ('requires_payment_method', 'failed')
                   and (o.status = 'cancelled'
                        or p.created_at < now() - make_interval(secs => ${rules.openAfterSeconds}::double precision)))
                 or (p.status = 'processing'
                   and (p.attempt_started_at is null
                        or p.attempt_started_at < now() - make_interval(secs => ${rules.staleAttemptSeconds}::double precision)))
               )
           and (p.reconcile_at is null or p.reconcile_at <= now())
         order by p.reconcile_at nulls first, p.created_at
         limit ${rules.batchSize}
           for update of p skip locked
      )
      update payments p
         set reconcile_checks = p.reconcile_checks + 1,
             reconcile_at = now() + make_interval(secs => least(
               ${rules.backoffCapSeconds}::double precision,
               ${rules.openAfterSeconds}::double precision * power(2, least(p.reconcile_checks, 30))))
        from due
       where p.id = due.id
      returning p.id, p.order_id, p.stripe_payment_intent_id, p.status, p.attempts, due.order_status`);
    return rows.map((row) => ({
      id: row.id,
      orderId: row.order_id,
      intentId: row.stripe_payment_intent_id,
      status: row.status,
      attempts: row.attempts,
      orderStatus: row.order_status,
    }));
  },

  /** The PaymentIntent was canceled at Stripe: nothing can be charged on it any more. */
  async markCanceled(db: PaymentsExecutor, id: string): Promise<boolean> {
    const updated = await db
      .update(payments)
      .set({ status: 'canceled', attemptStartedAt: null, reconcileAt: null, updatedAt: sql`now()` })
      .where(and(eq(payments.id, id), inArray(payments.status, openStatuses)))
      .returning({ id: payments.id });
    return updated.length > 0;
  },
};
