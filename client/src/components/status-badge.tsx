import type { OrderStatus } from '@/lib/types';

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

/** Whether a listing is on sale or held by an order. */
export function ListingStatusBadge({ reserved }: { reserved: boolean }) {
  return reserved ? (
    <span className="badge badge-reserved">Reserved</span>
  ) : (
    <span className="badge badge-available">On sale</span>
  );
}
