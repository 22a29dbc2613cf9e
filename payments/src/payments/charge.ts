import type { PaymentsTx } from '../db/db';
import type { OrderRow, PaymentRow } from '../db/schema';
import { accounts, book } from '../ledger/ledger';
import type { Clock } from '../payouts/clock';
import { salesRepo } from '../payouts/sales.repo';
import { paymentsRepo } from './payments.repo';

/** What recording a charge Stripe made did. */
export type ChargeOutcome =
  /** The order awaits its payment: `succeeded`, and `payment.succeeded` enqueued. */
  | { kind: 'succeeded'; payment: PaymentRow }
  /** The order was cancelled: `refund_pending`, the refund worker gives the money back (I6). */
  | { kind: 'refund-due'; payment: PaymentRow }
  /** The charge was recorded before (a replayed webhook, or the reconciler got there first). */
  | { kind: 'unchanged'; payment: PaymentRow };

/** How a charge is split: the platform's balance takes the total; fee and price are owed on. */
function chargeEntries(order: OrderRow | null, payment: PaymentRow, refund: boolean) {
  const total = payment.amount;
  if (refund) {
    // The order was cancelled: all of it goes back to the buyer.
    return [
      { account: accounts.stripeBalance, amount: total },
      { account: order ? accounts.buyer(order.userId) : accounts.unallocated, amount: -total },
    ];
  }
  if (!order?.sellerId) {
    return [
      { account: accounts.stripeBalance, amount: total },
      { account: accounts.unallocated, amount: -total },
    ];
  }
  const fee = order.fee ?? 0;
  return [
    { account: accounts.stripeBalance, amount: total },
    { account: accounts.platformFees, amount: -fee },
    { account: accounts.sellerPayable(order.sellerId), amount: -(total - fee) },
  ];
}

/**
 * Records that Stripe took the money for `payment`: the one path for the webhook and the
 * reconciler, so each charge is recorded once whoever learns of it first. The caller holds the
 * order's lock (`ordersRepo.lock`), and passes the locked order. In the same transaction the
 * charge is booked in the ledger (I10) and, for an order with a seller, its sale is scheduled for
 * the payout `holdSeconds` after the event starts (after the payout clock's now, for an event that
 * started already or an order without its event). `chargeId` is the PaymentIntent's succeeded
 * Charge (`latest_charge`), kept for the payout's `source_transaction`.
 */
export async function recordStripeCharge(
  tx: PaymentsTx,
  payment: PaymentRow,
  order: OrderRow | null,
  holdSeconds: number,
  clock: Clock,
  chargeId: string | null = null,
): Promise<ChargeOutcome> {
  const refund = order?.status === 'cancelled';
  const changed = await paymentsRepo.recordCharge(tx, payment.id, refund, chargeId);
  if (!changed) return { kind: 'unchanged', payment };
  await book(tx, {
    kind: 'charge',
    reference: changed.stripePaymentIntentId,
    orderId: changed.orderId,
    currency: changed.currency,
    entries: chargeEntries(order, changed, refund),
  });
  if (!refund && order?.sellerId) {
    await salesRepo.insert(tx, order, changed, holdSeconds, clock.now());
  }
  return { kind: refund ? 'refund-due' : 'succeeded', payment: changed };
}
