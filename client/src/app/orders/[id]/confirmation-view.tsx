import Link from 'next/link';
import { Icon } from '@/components/icon';
import { TicketArt } from '@/components/ticket-art';
import { breakdownOf } from '@/lib/fees';
import type { Order } from '@/lib/types';

/** The paid order: what was bought, for how much, and the order reference. */
export function Confirmation({ order }: { order: Order }) {
  const amounts = breakdownOf(order.ticket, order.ticket.currency);
  return (
    <div className="container-narrow" style={{ margin: '0 auto' }} data-testid="confirmation">
      <div className="card confirmation stack">
        <div className="confirmation-check">
          <Icon name="check" size={36} />
        </div>
        <div>
          <h1>You’re going!</h1>
          <p className="muted" role="status">
            Payment received — the ticket is yours. Your e-ticket is one tap away, and on its way by email.
          </p>
        </div>
        <TicketArt id={order.ticket.id} title={order.ticket.title} large />
        <dl className="summary" style={{ textAlign: 'left' }}>
          <div>
            <dt>Ticket</dt>
            <dd data-testid="confirmation-title">{order.ticket.title}</dd>
          </div>
          <div>
            <dt>Order</dt>
            <dd className="small" style={{ fontFamily: 'var(--font-mono)' }}>
              {order.id}
            </dd>
          </div>
          <div>
            <dt>Price</dt>
            <dd data-testid="confirmation-price">{amounts.price}</dd>
          </div>
          <div>
            <dt>Platform fee</dt>
            <dd data-testid="confirmation-fee">{amounts.fee}</dd>
          </div>
          <div className="total">
            <dt>Paid</dt>
            <dd data-testid="confirmation-total">{amounts.total}</dd>
          </div>
        </dl>
        <div className="row" style={{ justifyContent: 'center' }}>
          <Link href={`/orders/${order.id}/ticket`} className="btn btn-primary" data-testid="eticket-link">
            Your e-ticket
          </Link>
          <Link href="/" className="btn btn-secondary">
            Find more tickets
          </Link>
        </div>
      </div>
    </div>
  );
}
