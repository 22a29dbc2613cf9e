import type { PaymentsTx } from '../db/db';
import type { OrderRow, PaymentRow } from '../db/schema';
import { paymentsRepo } from './payments.repo';

/** What recording a charge Stripe made did. */
export type ChargeOutcome =
  /** The order awaits its payment: `succeeded`, and `payment.succeeded` enqueued. */
  | { kind: 'succeeded'; payment: PaymentRow }
  /** The order was cancelled: `refund_pending`, the refund worker gives the money back (I6). */
  | { kind: 'refund-due'; payment: PaymentRow }
  /** The charge was recorded before (a replayed webhook, or the reconciler got there first). */
  | { kind: 'unchanged'; payment: PaymentRow };

/**
 * Records that Stripe took the money for `payment`: the one path for the webhook and the
 * reconciler, so each charge is recorded once whoever learns of it first. The caller holds the
 * order's lock (`ordersRepo.lock`), and passes the locked order.
 */
export async function recordStripeCharge(
  tx: PaymentsTx,
  payment: PaymentRow,
  order: OrderRow | null,
): Promise<ChargeOutcome> {
  const refund = order?.status === 'cancelled';
  const changed = await paymentsRepo.recordCharge(tx, payment.id, refund);
  if (!changed) return { kind: 'unchanged', payment };
  return { kind: refund ? 'refund-due' : 'succeeded', payment: changed };
}
