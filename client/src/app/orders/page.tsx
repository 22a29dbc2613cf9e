import type { Metadata } from 'next';
import Link from 'next/link';
import { FreshPage } from '@/components/fresh-page';
import { OrderStatusBadge } from '@/components/status-badge';
import { TicketSwatch } from '@/components/ticket-art';
import { requireUser, serverApi, serverCall } from '@/lib/api-server';
import { formatMoney } from '@/lib/money';
import { orderState } from '@/lib/order-state';
import { formatDateTime } from '@/lib/time';
import { Icon } from '@/components/icon';

export const metadata: Metadata = { title: 'My orders' };

/** The buyer's orders, newest first. */
export default async function OrdersPage() {
  await requireUser('/orders');
  const api = await serverApi();
  const page = await serverCall(api.GET('/api/orders', { params: { query: { limit: 50 } } }));
  const now = Date.now();
  return (
    <FreshPage renderId={crypto.randomUUID()}>
      <div className="container">
        <div className="page-header">
          <div>
            <h1>My orders</h1>
            <p>Tickets you reserved and bought.</p>
          </div>
        </div>
        {page.items.length === 0 ? (
          <div className="empty" data-testid="orders-empty">
            <div className="empty-icon">
              <Icon name="receipt" size={36} />
            </div>
            <h2>No orders yet</h2>
            <p>When you buy a ticket, it shows up here.</p>
            <Link href="/" className="btn btn-primary">
              Browse tickets
            </Link>
          </div>
        ) : (
          <ul className="list" aria-label="Your orders">
            {page.items.map((order) => {
              const state = orderState(order, now);
              const payable = state === 'awaiting';
              return (
                <li key={order.id} className="list-item" data-testid="order-row">
                  <TicketSwatch id={order.ticket.id} title={order.ticket.title} />
                  <div className="list-item-main">
                    <Link href={`/orders/${order.id}`} className="list-item-title">
                      {order.ticket.title}
                    </Link>
                    <div className="list-item-sub">
                      {formatMoney(order.ticket.total, order.ticket.currency)}
                      {order.createdAt && (
                        <>
                          {' · '}
                          <span data-testid="order-date">ordered {formatDateTime(order.createdAt)}</span>
                        </>
                      )}
                      {payable && <> · pay by {formatDateTime(order.expiresAt)}</>}
                    </div>
                  </div>
                  <div className="row">
                    <OrderStatusBadge state={state} />
                    {state === 'paid' ? (
                      <Link href={`/orders/${order.id}/ticket`} className="btn btn-sm btn-primary">
                        E-ticket
                      </Link>
                    ) : (
                      <Link
                        href={`/orders/${order.id}`}
                        className={`btn btn-sm ${payable ? 'btn-primary' : 'btn-secondary'}`}
                      >
                        {payable ? 'Pay now' : 'View'}
                      </Link>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
        {page.nextCursor && <p className="muted small center mt-5">Showing your 50 most recent orders.</p>}
      </div>
    </FreshPage>
  );
}
