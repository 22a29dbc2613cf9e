import { listingState } from '@/lib/listing-status';
import type { OrderStatus, TicketStatus } from '@/lib/types';

const ORDER_LABELS: Record<OrderStatus, { label: string; className: string }> = {
  awaiting_payment: { label: 'Awaiting payment', className: 'badge badge-awaiting' },
  complete: { label: 'Paid', className: 'badge badge-complete' },
  cancelled: { label: 'Cancelled', className: 'badge badge-cancelled' },
};

/** An order's status as a coloured label. */
export function OrderStatusBadge({ status, expired = false }: { status: OrderStatus; expired?: boolean }) {
  if (status === 'awaiting_payment' && expired) {
    return <span className="badge badge-cancelled">Expired</span>;
  }
  const { label, className } = ORDER_LABELS[status];
  return <span className={className}>{label}</span>;
}

/** Whether a listing is available, reserved by an unpaid order, or sold. */
export function ListingStatusBadge({ status }: { status: TicketStatus }) {
  const { label, badgeClass } = listingState(status);
  return <span className={badgeClass}>{label}</span>;
}
