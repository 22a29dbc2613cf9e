import type { RefundState, TransferState } from '../stripe/stripe.gateway';

/** The kinds of disagreement between the ledger and what it books, or Stripe. */
export type LedgerDifferenceKind =
  /** A charge or refund recorded on the payment, but not booked. */
  | 'charge_not_booked'
  | 'refund_not_booked'
  /** Stripe has a transfer or refund of the order that the ledger never booked (e.g. the dashboard's). */
  | 'stripe_transfer_not_booked'
  | 'stripe_refund_not_booked'
  /** The ledger booked a transfer or refund that Stripe does not list for the order. */
  | 'transfer_missing_at_stripe'
  | 'refund_missing_at_stripe'
  /** Both have it, with other amounts. */
  | 'charge_mismatch'
  | 'refund_mismatch'
  | 'transfer_mismatch';

/** One disagreement between the ledger and what it books. */
export interface LedgerDifference {
  kind: LedgerDifferenceKind;
  orderId: string;
  /** The Stripe object (or objects, comma-separated) the difference is about, when there is one. */
  reference?: string;
  detail: string;
}

/** One ledger transaction of an order, with what it moved into (+) or out of (-) `stripe:balance`. */
export interface BookedMovement {
  kind: string;
  reference: string;
  balance: number;
}

/** What Stripe has of one order. */
export interface StripeSide {
  /** `amount_received` of the order's PaymentIntent. */
  received: number;
  /** Every transfer of the order's `transfer_group`. */
  transfers: TransferState[];
  /** Every refund of the order's PaymentIntent that is not failed or canceled. */
  refunds: RefundState[];
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/**
 * Compares one order's ledger with Stripe's objects of it, from both sides: what Stripe has that
 * the ledger lacks, what the ledger booked that Stripe does not have, and amounts that differ.
 * A refund made in Stripe's dashboard is booked under its charge's id (`ch_…`), not its own: the
 * Stripe refunds no booking names are compared, together, with those bookings.
 */
export function compareOrder(
  orderId: string,
  intentId: string,
  booked: BookedMovement[],
  stripe: StripeSide,
): LedgerDifference[] {
  const differences: LedgerDifference[] = [];
  const of = (kind: string) => booked.filter((movement) => movement.kind === kind);

  const charged = sum(of('charge').map((movement) => movement.balance));
  if (of('charge').length > 0 && charged !== stripe.received) {
    differences.push({
      kind: 'charge_mismatch',
      orderId,
      reference: intentId,
      detail: `Stripe's ${intentId} received ${stripe.received}, the ledger booked ${charged}`,
    });
  }

  const refundBookings = of('refund');
  const byId = new Map(stripe.refunds.map((refund) => [refund.id, refund]));
  for (const booking of refundBookings.filter((movement) => movement.reference.startsWith('re_'))) {
    const refund = byId.get(booking.reference);
    if (!refund) {
      differences.push({
        kind: 'refund_missing_at_stripe',
        orderId,
        reference: booking.reference,
        detail: `the ledger booked refund ${booking.reference}, which Stripe does not list for ${intentId}`,
      });
    } else if (refund.amount !== -booking.balance) {
      differences.push({
        kind: 'refund_mismatch',
        orderId,
        reference: refund.id,
        detail: `Stripe's ${refund.id} is ${refund.amount}, the ledger booked ${-booking.balance}`,
      });
    }
  }
  const named = new Set(refundBookings.map((movement) => movement.reference));
  const unnamed = stripe.refunds.filter((refund) => !named.has(refund.id));
  const dashboardBookings = refundBookings.filter((movement) => !movement.reference.startsWith('re_'));
  if (dashboardBookings.length > 0) {
    const atStripe = sum(unnamed.map((refund) => refund.amount));
    const inLedger = -sum(dashboardBookings.map((movement) => movement.balance));
    if (atStripe !== inLedger) {
      const ids = unnamed.map((refund) => refund.id).join(',');
      differences.push({
        kind: unnamed.length === 0 ? 'refund_missing_at_stripe' : 'refund_mismatch',
        orderId,
        reference: ids || dashboardBookings.map((movement) => movement.reference).join(','),
        detail:
          `Stripe's refunds made outside this service (${ids || 'none'}) total ${atStripe}, ` +
          `the ledger booked ${inLedger} under ${dashboardBookings.map((m) => m.reference).join(',')}`,
      });
    }
  } else {
    for (const refund of unnamed) {
      differences.push({
        kind: 'stripe_refund_not_booked',
        orderId,
        reference: refund.id,
        detail: `Stripe's refund ${refund.id} of ${refund.amount} ${refund.currency} is not in the ledger`,
      });
    }
  }

  const transferBookings = new Map(of('transfer').map((movement) => [movement.reference, movement]));
  const atStripe = new Set(stripe.transfers.map((transfer) => transfer.id));
  for (const transfer of stripe.transfers) {
    if (transferBookings.has(transfer.id)) continue;
    differences.push({
      kind: 'stripe_transfer_not_booked',
      orderId,
      reference: transfer.id,
      detail:
        `Stripe's transfer ${transfer.id} of ${transfer.amount} ${transfer.currency} to ` +
        `${transfer.destination} is not in the ledger`,
    });
  }
  for (const reference of transferBookings.keys()) {
    if (atStripe.has(reference)) continue;
    differences.push({
      kind: 'transfer_missing_at_stripe',
      orderId,
      reference,
      detail: `the ledger booked transfer ${reference}, which Stripe does not list for the group ${orderId}`,
    });
  }
  // The net of the transfers both have: what left the balance, less what reversals gave back.
  const shared = stripe.transfers.filter((transfer) => transferBookings.has(transfer.id));
  if (shared.length > 0) {
    const stripeNet = sum(shared.map((transfer) => transfer.amount - transfer.amountReversed));
    const ledgerNet = -sum([...of('transfer'), ...of('reversal')].map((movement) => movement.balance));
    if (stripeNet !== ledgerNet) {
      const ids = shared.map((transfer) => transfer.id).join(',');
      differences.push({
        kind: 'transfer_mismatch',
        orderId,
        reference: ids,
        detail: `Stripe's transfer ${ids} nets ${stripeNet}, the ledger ${ledgerNet}`,
      });
    }
  }
  return differences;
}
