import type { Order } from './types';

/** How an order reads to its buyer. */
export type OrderState = 'awaiting' | 'expired' | 'cancelled' | 'paid' | 'refunded';

/**
 * Where an order stands for its buyer at `now`: an unpaid order past its deadline reads expired
 * before the orders service has recorded it; a cancelled one reads by its `cancelReason`. Without
 * a reason (a service that does not send it), a cancellation reads as cancelled unless
 * `sawExpiry` says this page watched the hold run out. A refunded order (its payment was given
 * back; an e-ticket it had is void) reads refunded.
 */
export function orderState(
  order: Pick<Order, 'status' | 'expiresAt'> & Partial<Pick<Order, 'cancelReason'>>,
  now: number,
  sawExpiry = false,
): OrderState {
  if (order.status === 'complete') return 'paid';
  if (order.status === 'refunded') return 'refunded';
  if (order.status === 'awaiting_payment') {
    const deadline = Date.parse(order.expiresAt);
    return Number.isNaN(deadline) || deadline > now ? 'awaiting' : 'expired';
  }
  if (order.cancelReason === 'expired') return 'expired';
  if (order.cancelReason === 'buyer') return 'cancelled';
  return sawExpiry ? 'expired' : 'cancelled';
}

const LABELS: Record<OrderState, { label: string; className: string }> = {
  awaiting: { label: 'Awaiting payment', className: 'badge badge-awaiting' },
  paid: { label: 'Paid', className: 'badge badge-complete' },
  expired: { label: 'Expired', className: 'badge badge-cancelled' },
  cancelled: { label: 'Cancelled', className: 'badge badge-cancelled' },
  refunded: { label: 'Refunded', className: 'badge badge-cancelled' },
};

/** The badge text and class of an order state. */
export function orderLabel(state: OrderState): { label: string; className: string } {
  return LABELS[state];
}
