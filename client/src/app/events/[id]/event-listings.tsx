'use client';

import Link from 'next/link';
import { MorePagesControls, useMorePages } from '@/components/more-pages';
import { seatLine } from '@/components/ticket-card';
import { api, call } from '@/lib/api-client';
import { formatMoney } from '@/lib/money';
import { signInPath } from '@/lib/next-path';
import type { Ticket } from '@/lib/types';
import { BuyButton } from '../../tickets/[id]/buy-button';
import { LiveStatusBadge, TicketLive } from '../../tickets/[id]/ticket-live';

/**
 * An event's listings on sale, cheapest first, each with its seat, the seller's note, its price
 * and the ticket page's Buy; more on demand.
 */
export function EventListings({
  eventId,
  initial,
  initialCursor,
  pageSize,
  viewerId,
}: {
  eventId: string;
  initial: Ticket[];
  initialCursor: string | null;
  pageSize: number;
  /** The signed-in visitor, or null. */
  viewerId: string | null;
}) {
  const pages = useMorePages(
    initial,
    initialCursor,
    (cursor) =>
      call(
        api.GET('/api/tickets', { params: { query: { eventId, sort: 'price', limit: pageSize, cursor } } }),
      ),
    (ticket) => ticket.id,
  );
  const tickets = pages.items;

  if (tickets.length === 0) {
    return (
      <div className="empty" data-testid="event-listings-empty">
        <h3>No tickets on sale for this event right now</h3>
        <p>Listings appear here as fans put them up. Have one you cannot use?</p>
        <Link href={`/sell?event=${eventId}`} className="btn btn-primary">
          Sell your ticket
        </Link>
      </div>
    );
  }

  return (
    <>
      <ul className="list" aria-label="Tickets on sale for this event">
        {tickets.map((ticket) => (
          <ListingRow key={ticket.id} ticket={ticket} viewerId={viewerId} />
        ))}
      </ul>
      <MorePagesControls pages={pages} label="Show more tickets" done={null} />
    </>
  );
}

function ListingRow({ ticket, viewerId }: { ticket: Ticket; viewerId: string | null }) {
  const price = formatMoney(ticket.price, ticket.currency);
  const seat = seatLine(ticket) ?? 'Seat not specified';
  const titleId = `listing-${ticket.id}`;
  return (
    <li className="list-item listing-row" data-testid="event-listing" aria-labelledby={titleId}>
      <TicketLive status={ticket.status}>
        <div className="list-item-main">
          <div className="row" style={{ gap: '0.5rem' }}>
            <Link id={titleId} href={`/tickets/${ticket.id}`} className="list-item-title">
              {seat}
            </Link>
            <LiveStatusBadge />
          </div>
          {ticket.note && <p className="listing-note">“{ticket.note}”</p>}
          <div className="list-item-sub">
            <span className="price" style={{ fontSize: '1.1rem' }} data-testid="listing-price">
              {price}
            </span>{' '}
            <span className="muted small">{ticket.currency.toUpperCase()} · fees included</span>
          </div>
        </div>
        <div className="listing-action">
          {viewerId === ticket.userId ? (
            <Link href="/my/listings" className="btn btn-secondary">
              Your listing
            </Link>
          ) : viewerId ? (
            <BuyButton
              ticketId={ticket.id}
              price={price}
              label={`Buy for ${price}: ${seat}`}
              returnPath={`/events/${ticket.eventId}`}
            />
          ) : (
            <Link href={signInPath(`/events/${ticket.eventId}`)} className="btn btn-primary">
              Sign in to buy
            </Link>
          )}
        </div>
      </TicketLive>
    </li>
  );
}
