import Link from 'next/link';
import { formatMoney } from '@/lib/money';
import type { Ticket } from '@/lib/types';
import { TicketArt } from './ticket-art';

/** A ticket on the marketplace: its stub, title and price, linking to its page. */
export function TicketCard({ ticket }: { ticket: Ticket }) {
  return (
    <li className="ticket-list-item" style={{ listStyle: 'none' }}>
      <Link href={`/tickets/${ticket.id}`} className="ticket-card" data-testid="ticket-card">
        <TicketArt id={ticket.id} title={ticket.title} />
        <div className="ticket-perforation" aria-hidden="true" />
        <div className="ticket-body">
          <h3 className="ticket-title">{ticket.title}</h3>
          <div className="ticket-meta">
            <span className="price">{formatMoney(ticket.price, ticket.currency)}</span>
            <span className="badge badge-available">Available</span>
          </div>
        </div>
      </Link>
    </li>
  );
}
