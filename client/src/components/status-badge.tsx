import { listingState } from '@/lib/listing-status';
import { orderLabel, type OrderState } from '@/lib/order-state';
import type { TicketStatus } from '@/lib/types';

/** An order's state as a coloured label: Awaiting payment, Paid, Expired or Cancelled. */
export function OrderStatusBadge({ state }: { state: OrderState }) {
  const { label, className } = orderLabel(state);
  return (
    <span className={className} data-testid="order-status">
      {label}
    </span>
  );
}

/** Whether a listing is available, reserved by an unpaid order, or sold. */
export function ListingStatusBadge({ status }: { status: TicketStatus }) {
  const { label, badgeClass } = listingState(status);
  return (
    <span className={badgeClass} data-testid="listing-status">
      {label}
    </span>
  );
}
