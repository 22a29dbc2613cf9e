'use client';

import Link from 'next/link';
import { MorePagesControls, useMorePages } from '@/components/more-pages';
import { seatLine } from '@/components/ticket-card';
import { api, call } from '@/lib/api-client';
import { priceBreakdown, type FeeSchedule } from '@/lib/fees';
import { formatMoney } from '@/lib/money';
import { signInPath } from '@/lib/next-path';
import type { Ticket } from '@/lib/types';
import { BuyButton } from '../../tickets/[id]/buy-button';
import { LiveStatusBadge, TicketLive } from '../../tickets/[id]/ticket-live';

/**
 * An event's listings on sale, cheapest first, each with its seat, the seller's note, its price,
 * the platform fee on top and the total, and the ticket page's Buy (for the total); more on demand.
 */
export function EventListings({
  eventId,
  initial,
  initialCursor,
  pageSize,
  viewerId,
  feeSchedule,
}: {
  eventId: string;
  initial: Ticket[];
  initialCursor: string | null;
  pageSize: number;
  /** The signed-in visitor, or null. */
  viewerId: string | null;
  /** The platform fee schedule; null when it could not be read (the fee is then shown at checkout). */
  feeSchedule: FeeSchedule | null;
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
          <ListingRow key={ticket.id} ticket={ticket} viewerId={viewerId} feeSchedule={feeSchedule} />
        ))}
      </ul>
      <MorePagesControls pages={pages} label="Show more tickets" done={null} />
    </>
  );
}

function ListingRow({
  ticket,
  viewerId,
  feeSchedule,
}: {
  ticket: Ticket;
  viewerId: string | null;
  feeSchedule: FeeSchedule | null;
}) {
  const price = formatMoney(ticket.price, ticket.currency);
  const amounts = feeSchedule ? priceBreakdown(ticket.price, ticket.currency, feeSchedule) : null;
  const buyFor = amounts?.total ?? `${price} + fee`;
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
            <span className="muted small" data-testid="listing-fee">
              {ticket.currency.toUpperCase()} ·{' '}
              {amounts ? `+ ${amounts.fee} fee = ${amounts.total}` : 'plus a platform fee, shown at checkout'}
            </span>
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
              price={buyFor}
              label={`Buy for ${buyFor}: ${seat}`}
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
