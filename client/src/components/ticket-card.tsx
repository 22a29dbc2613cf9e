import Link from 'next/link';
import { formatEventStartLine } from '@/lib/event-time';
import { formatMoney } from '@/lib/money';
import type { Ticket } from '@/lib/types';
import { TicketArt } from './ticket-art';

/** Where in the venue a listing is: "Section 112 · Row C · Seat 14", or null when it names none. */
export function seatLine(ticket: Pick<Ticket, 'section' | 'row' | 'seat'>): string | null {
  const parts = [
    ticket.section && `Section ${ticket.section}`,
    ticket.row && `Row ${ticket.row}`,
    ticket.seat && `Seat ${ticket.seat}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** A listing on the marketplace: its stub, event, date, seat and price, linking to its page. */
export function TicketCard({ ticket }: { ticket: Ticket }) {
  return (
    <li className="ticket-list-item" style={{ listStyle: 'none' }}>
      <Link href={`/tickets/${ticket.id}`} className="ticket-card" data-testid="ticket-card">
        <TicketArt id={ticket.eventId} title={ticket.event.name} />
        <div className="ticket-perforation" aria-hidden="true" />
        <div className="ticket-body">
          <h3 className="ticket-title">{ticket.title}</h3>
          <p className="ticket-when">
            {formatEventStartLine(ticket.event.startsAt, ticket.event.timezone)}
            <br />
            {ticket.event.venue}, {ticket.event.city}
          </p>
          <div className="ticket-meta">
            <span className="price">{formatMoney(ticket.price, ticket.currency)}</span>
            <span className="badge badge-available">On sale</span>
          </div>
        </div>
      </Link>
    </li>
  );
}
