import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { formatSeat } from '@glotixz/common/format';
import { QrCode } from '@/components/qr-code';
import { requireUser, serverApi, serverCall } from '@/lib/api-server';
import { ApiError } from '@/lib/errors';
import { formatEventStart } from '@/lib/event-time';
import type { ETicket } from '@/lib/types';
import { PrintButton } from './print-button';

export const metadata: Metadata = { title: 'Your e-ticket', robots: { index: false } };

type Params = Promise<{ id: string }>;

/** The e-ticket of a paid order, for its buyer: the QR code to show at the door, printable. */
export default async function ETicketPage({ params }: { params: Params }) {
  const { id } = await params;
  await requireUser(`/orders/${id}/ticket`);
  const api = await serverApi();
  let ticket: ETicket;
  try {
    ticket = await serverCall(api.GET('/api/orders/{id}/eticket', { params: { path: { id } } }));
  } catch (error) {
    if (error instanceof ApiError && error.code === 'TICKET_VOID') return <VoidTicket orderId={id} />;
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) notFound();
    throw error;
  }
  const start = ticket.event ? formatEventStart(ticket.event.startsAt, ticket.event.timezone) : null;
  const base = `/api/orders/${encodeURIComponent(ticket.order.id)}/eticket`;
  return (
    <div className="container">
      <Link href={`/orders/${ticket.order.id}/confirmation`} className="back-link no-print">
        ← Order
      </Link>
      <article className="eticket card" data-testid="eticket">
        <header className="eticket-head">
          <span className="eticket-brand">Glotixz · E-ticket</span>
          <h1>{ticket.event?.name ?? ticket.ticket.title}</h1>
          {ticket.event && start && (
            <p className="eticket-when">
              <time dateTime={ticket.event.startsAt}>
                {start.date} · {start.time}
              </time>
              <br />
              {ticket.event.venue}, {ticket.event.city}, {ticket.event.country}
            </p>
          )}
        </header>
        <div className="eticket-qr">
          <QrCode text={ticket.code} label={`Ticket code for ${ticket.ticket.title}`} />
          <p className="hint">Show this code at the door. It admits one person, once.</p>
        </div>
        <dl className="summary eticket-details">
          <div>
            <dt>Seat</dt>
            <dd data-testid="eticket-seat">{formatSeat(ticket.seat)}</dd>
          </div>
          <div>
            <dt>Ticket</dt>
            <dd>{ticket.ticket.title}</dd>
          </div>
          <div>
            <dt>Holder</dt>
            <dd>{ticket.holder.email ?? 'You'}</dd>
          </div>
          <div>
            <dt>Order</dt>
            <dd className="small mono">{ticket.order.id}</dd>
          </div>
        </dl>
        <details className="eticket-code no-print">
          <summary>Can’t scan? Show the code as text</summary>
          <p className="mono small" data-testid="eticket-code">
            {ticket.code}
          </p>
        </details>
      </article>
      <div className="row eticket-actions no-print">
        <PrintButton />
        <a className="btn btn-secondary" href={`${base}.pdf`} download>
          Download PDF
        </a>
        {ticket.event && (
          <a className="btn btn-secondary" href={`${base}.ics`} download>
            Add to calendar
          </a>
        )}
      </div>
    </div>
  );
}

function VoidTicket({ orderId }: { orderId: string }) {
  return (
    <div className="container-narrow" style={{ margin: '0 auto' }}>
      <div className="card stack" data-testid="eticket-void" role="status">
        <h1>This ticket is void</h1>
        <p className="muted">The order was refunded, so its e-ticket no longer admits anyone at the door.</p>
        <Link href={`/orders/${orderId}`} className="btn btn-secondary">
          See the order
        </Link>
      </div>
    </div>
  );
}
