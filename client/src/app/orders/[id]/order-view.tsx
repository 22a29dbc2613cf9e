'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { Icon } from '@/components/icon';
import { OrderStatusBadge } from '@/components/status-badge';
import { TicketSwatch } from '@/components/ticket-art';
import { api, call, sleep } from '@/lib/api-client';
import { messageFor } from '@/lib/errors';
import { breakdownOf } from '@/lib/fees';
import { orderState } from '@/lib/order-state';
import { describeCountdown, formatCountdown, msUntil } from '@/lib/time';
import type { Order } from '@/lib/types';
import { Checkout } from './checkout';

/**
 * An order that is not paid yet: the hold's live countdown, the payment form and a cancel
 * button. When the hold runs out it shows the order as expired and follows it until the orders
 * service has cancelled it; once paid it moves on to the confirmation. Once a payment is
 * submitted the countdown stops and Cancel is disabled until the payment is settled. Everything
 * shown (title, price) is the order's own terms, never the live listing's.
 */
export function OrderView({ initial }: { initial: Order }) {
  const router = useRouter();
  const [order, setOrder] = useState(initial);
  // A newer render from the server (Back, a refresh) replaces what this page knew.
  const [seenInitial, setSeenInitial] = useState(initial);
  if (initial !== seenInitial) {
    setSeenInitial(initial);
    if (initial.version > order.version) setOrder(initial);
  }
  const [now, setNow] = useState(() => Date.now());
  const [cancelling, setCancelling] = useState(false);
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const [cancelledHere, setCancelledHere] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const [sawExpiry, setSawExpiry] = useState(false);
  // A payment has been submitted and is being confirmed: the countdown stops, Cancel waits.
  const [paying, setPaying] = useState(false);

  const remaining = msUntil(order.expiresAt, now);
  const awaiting = order.status === 'awaiting_payment';
  const state = orderState(order, now, sawExpiry);
  const expired = state === 'expired';

  useEffect(() => {
    if (!awaiting || paying) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [awaiting, paying]);

  const onPayingChange = useCallback((submitted: boolean) => {
    setPaying(submitted);
    if (submitted) setConfirmingCancel(false);
  }, []);

  // Past the deadline: follow the order until the expiry is recorded, then refresh the page data.
  useEffect(() => {
    if (!awaiting || remaining > 0) return;
    const controller = new AbortController();
    void (async () => {
      for (let attempt = 0; !controller.signal.aborted; attempt++) {
        try {
          const fresh = await call(
            api.GET('/api/orders/{id}', { params: { path: { id: order.id } }, signal: controller.signal }),
          );
          if (fresh.status !== 'awaiting_payment') {
            setSawExpiry(fresh.status === 'cancelled');
            setOrder(fresh);
            router.refresh();
            return;
          }
          await sleep(Math.min(1000 * (attempt + 1), 5000), controller.signal);
        } catch {
          if (controller.signal.aborted) return;
          await sleep(3000, controller.signal).catch(() => undefined);
        }
      }
    })();
    return () => controller.abort();
  }, [awaiting, remaining, order.id, router]);

  const onPaid = useCallback(
    (paid: Order) => {
      setOrder(paid);
      router.replace(`/orders/${paid.id}/confirmation`);
    },
    [router],
  );

  async function cancel() {
    setCancelling(true);
    setError(null);
    try {
      const cancelled = await call(
        api.POST('/api/orders/{id}/cancel', { params: { path: { id: order.id } } }),
      );
      setCancelledHere(true);
      setOrder(cancelled);
      router.refresh();
    } catch (err) {
      setError(messageFor(err));
    } finally {
      setCancelling(false);
      setConfirmingCancel(false);
    }
  }

  const amounts = breakdownOf(order.ticket, order.ticket.currency);
  const urgent = remaining > 0 && remaining <= 60_000;

  return (
    <div className="split">
      <div className="stack">
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h1 style={{ margin: 0 }}>{awaiting && !expired ? 'Complete your purchase' : 'Your order'}</h1>
          <OrderStatusBadge state={state} />
        </div>

        {awaiting && !expired && (
          <div
            className={`countdown${urgent && !paying ? ' countdown-urgent' : ''}${paying ? ' countdown-stopped' : ''}`}
            data-testid="countdown"
            data-stopped={paying ? 'true' : undefined}
            role="timer"
            aria-label={
              paying
                ? 'Payment submitted: the hold is kept while it is confirmed'
                : `Time left to pay: ${describeCountdown(remaining)}`
            }
          >
            <Icon name="clock" size={22} />
            <span>
              {paying ? 'Payment submitted with ' : 'Ticket held for you for '}
              <span className="countdown-time" aria-hidden="true">
                {formatCountdown(remaining)}
              </span>
              {paying && ' left on the hold'}
            </span>
          </div>
        )}

        <div aria-live="polite">
          {state === 'paid' && (
            <div className="alert alert-success" role="status">
              <p>
                Payment received — opening your receipt…{' '}
                <Link href={`/orders/${order.id}/confirmation`}>Open it now</Link>
              </p>
            </div>
          )}
          {expired && (
            <div className="alert alert-warning" role="status" data-testid="order-expired">
              <p>
                <strong>This order has expired.</strong> The hold ran out before payment, so the ticket went
                back on sale.{' '}
                {awaiting ? (
                  'Updating…'
                ) : (
                  <Link href={`/tickets/${order.ticket.id}`}>See if it is still available</Link>
                )}
              </p>
            </div>
          )}
          {order.status === 'cancelled' && !expired && (
            <div className="alert alert-info" role="status" data-testid="order-cancelled">
              <p>
                {cancelledHere || order.cancelReason === 'buyer'
                  ? 'You cancelled this order.'
                  : now < Date.parse(order.expiresAt)
                    ? 'This order was cancelled.'
                    : 'This order was not paid in time, or it was cancelled.'}{' '}
                The ticket went back on sale.{' '}
                <Link href={`/tickets/${order.ticket.id}`}>See if it is still available</Link>
              </p>
            </div>
          )}
          {error && (
            <div className="alert alert-error" role="alert">
              <p>{error}</p>
            </div>
          )}
        </div>

        {awaiting && !expired && (
          <Checkout order={order} onPaid={onPaid} onOrderChanged={setOrder} onPayingChange={onPayingChange} />
        )}
      </div>

      <aside className="card stack" aria-label="Order summary">
        <h2 style={{ margin: 0 }}>Order summary</h2>
        <div className="row" style={{ flexWrap: 'nowrap' }}>
          <TicketSwatch id={order.ticket.id} title={order.ticket.title} />
          <Link href={`/tickets/${order.ticket.id}`} className="list-item-title">
            {order.ticket.title}
          </Link>
        </div>
        <dl className="summary">
          <div>
            <dt>Ticket</dt>
            <dd data-testid="order-price">{amounts.price}</dd>
          </div>
          <div>
            <dt>Platform fee</dt>
            <dd data-testid="order-fee">{amounts.fee}</dd>
          </div>
          <div className="total">
            <dt>Total</dt>
            <dd data-testid="order-total">{amounts.total}</dd>
          </div>
        </dl>
        <p className="muted small" style={{ margin: 0 }}>
          Order <span style={{ fontFamily: 'var(--font-mono)' }}>{order.id.slice(0, 8)}</span>
        </p>
        {awaiting && !expired && !confirmingCancel && (
          <>
            <button
              type="button"
              className="btn btn-danger btn-block"
              onClick={() => setConfirmingCancel(true)}
              disabled={paying}
              aria-describedby={paying ? 'cancel-paying' : undefined}
            >
              Cancel order
            </button>
            {paying && (
              <p id="cancel-paying" className="muted small" style={{ margin: 0 }}>
                Your payment is being confirmed, so the order cannot be cancelled now.
              </p>
            )}
          </>
        )}
        {awaiting && !expired && confirmingCancel && (
          <div className="stack" role="group" aria-label="Confirm cancellation">
            <p className="small" style={{ margin: 0 }}>
              Cancel this order? The ticket goes back on sale and someone else may buy it.
            </p>
            <div className="row">
              <button
                type="button"
                className="btn btn-danger"
                onClick={() => void cancel()}
                disabled={cancelling || paying}
                autoFocus
              >
                {cancelling ? 'Cancelling…' : 'Yes, cancel'}
              </button>
              <button
                type="button"
                className="btn btn-ghost"
                onClick={() => setConfirmingCancel(false)}
                disabled={cancelling}
              >
                Keep my order
              </button>
            </div>
          </div>
        )}
      </aside>
    </div>
  );
}
