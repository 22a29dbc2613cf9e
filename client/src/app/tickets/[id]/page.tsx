import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { FreshPage } from '@/components/fresh-page';
import { HoldNotice } from '@/components/hold-notice';
import { TicketArt } from '@/components/ticket-art';
import { seatLine } from '@/components/ticket-card';
import { currentUser, serverApi, serverCallOrNull } from '@/lib/api-server';
import { formatEventStartLine, hasStarted } from '@/lib/event-time';
import { feeSchedule } from '@/lib/fee-schedule';
import { breakdownOf, priceBreakdown } from '@/lib/fees';
import { formatMoney } from '@/lib/money';
import { signInPath } from '@/lib/next-path';
import { metaDescription } from '@/lib/seo';
import { siteOrigin } from '@/lib/site';
import { BuyButton } from './buy-button';
import { LiveStatusBadge, TicketLive } from './ticket-live';

type Params = Promise<{ id: string }>;

/** The ticket, or null when there is none with that id; read once per request (metadata and page). */
const findTicket = cache(async (id: string) => {
  const api = await serverApi();
  return serverCallOrNull(api.GET('/api/tickets/{id}', { params: { path: { id } } }));
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const [ticket, origin] = await Promise.all([findTicket(id), siteOrigin()]);
  if (!ticket) return { title: 'Ticket not found', robots: { index: false } };
  const url = `${origin}/tickets/${ticket.id}`;
  const { event } = ticket;
  const title = `${ticket.title} · ${formatMoney(ticket.price, ticket.currency)}`;
  const description = metaDescription(
    `${seatLine(ticket) ?? 'A ticket'} for ${event.name} at ${event.venue}, ${event.city} on ${formatEventStartLine(event.startsAt, event.timezone)}, ${formatMoney(ticket.price, ticket.currency)} from a fan. Held for you while you pay.`,
  );
  return {
    title,
    description,
    alternates: { canonical: url },
    openGraph: { type: 'website', siteName: 'Glotixz', title, description, url },
    twitter: { card: 'summary', title, description },
  };
}

/** One ticket: what it is, what it costs, and the way to buy it. */
export default async function TicketPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ id }, { listed }] = await Promise.all([params, searchParams]);
  const [ticket, user, api, fees] = await Promise.all([
    findTicket(id),
    currentUser(),
    serverApi(),
    feeSchedule(),
  ]);
  if (!ticket) notFound();

  const mine = user?.id === ticket.userId;
  // A reserved ticket may be held by this visitor's own order: then point them at it.
  const myOrder =
    ticket.orderId && user && !mine
      ? await serverCallOrNull(api.GET('/api/orders/{id}', { params: { path: { id: ticket.orderId } } }))
      : null;
  // A held ticket is shown at the terms it was reserved at, not a later edit of the listing.
  const terms = ticket.status !== 'available' && ticket.heldTerms ? ticket.heldTerms : ticket;
  const price = formatMoney(terms.price, terms.currency);
  // What a buyer pays: a held ticket at its order's own fee, else the fee a new order would fix.
  const amounts = myOrder
    ? breakdownOf(myOrder.ticket, myOrder.ticket.currency)
    : fees
      ? priceBreakdown(terms.price, terms.currency, fees)
      : null;
  const { event } = ticket;
  // The closing job closes listings a moment after the start: until then the page says so already.
  const status =
    ticket.status === 'available' && hasStarted(event.startsAt, Date.now()) ? 'closed' : ticket.status;
  const seat = seatLine(ticket);

  return (
    <FreshPage renderId={crypto.randomUUID()}>
      <TicketLive key={`${ticket.id}:${ticket.version}`} status={status}>
        <div className="container">
          <Link href={`/events/${event.id}`} className="back-link">
            ← All tickets for {event.name}
          </Link>
          {listed === '1' && mine && (
            <div className="alert alert-success" role="status" style={{ marginBottom: '1.5rem' }}>
              <p>
                Your ticket is on sale. <Link href="/my/listings">See all your listings</Link>
              </p>
            </div>
          )}
          <div className="split">
            <TicketArt id={event.id} title={event.name} large />
            <div className="card stack">
              <div className="row" style={{ justifyContent: 'space-between' }}>
                <LiveStatusBadge />
                <span className="muted small">Sold by a fan · Ticket #{ticket.id.slice(0, 8)}</span>
              </div>
              <h1 style={{ margin: 0 }}>{terms.title}</h1>
              <div className="ticket-event">
                <Link href={`/events/${event.id}`} data-testid="ticket-event">
                  {event.name}
                </Link>
                <span>{formatEventStartLine(event.startsAt, event.timezone)}</span>
                <span>
                  {event.venue}, {event.city}
                </span>
                <span>{seat ?? 'Seat not specified'}</span>
              </div>
              {ticket.note && <p className="listing-note">“{ticket.note}”</p>}
              <div>
                <div className="price price-lg" data-testid="ticket-price">
                  {price}
                </div>
                <div className="muted small" data-testid="ticket-fee">
                  {terms.currency.toUpperCase()} ·{' '}
                  {amounts
                    ? `plus a ${amounts.fee} platform fee`
                    : 'plus a platform fee, shown before you pay'}
                </div>
              </div>

              {!mine && !myOrder && status === 'available' && <HoldNotice compact />}
              {mine ? (
                <div className="alert alert-info" role="note">
                  <p>
                    This is your listing.{' '}
                    {status === 'sold' ? (
                      'A buyer has bought it.'
                    ) : status === 'reserved' ? (
                      'A buyer has reserved it.'
                    ) : status === 'closed' ? (
                      'Its event has started, so it is closed.'
                    ) : (
                      <>
                        {status === 'unlisted' && 'You have taken it down. '}
                        <Link href="/my/listings">Manage it in My listings</Link>
                      </>
                    )}
                  </p>
                </div>
              ) : myOrder ? (
                <div className="stack">
                  <div className="alert alert-info" role="note">
                    <p>
                      {myOrder.status === 'complete'
                        ? `You bought this ticket for ${formatMoney(myOrder.ticket.total, myOrder.ticket.currency)}.`
                        : `You have reserved this ticket for ${formatMoney(myOrder.ticket.total, myOrder.ticket.currency)}. Pay before the hold runs out to keep it.`}
                    </p>
                  </div>
                  <Link href={`/orders/${myOrder.id}`} className="btn btn-primary btn-lg btn-block">
                    Go to your order
                  </Link>
                </div>
              ) : status === 'sold' ? (
                <div className="alert alert-warning" role="note">
                  <p>Another buyer has bought this ticket.</p>
                </div>
              ) : status === 'closed' ? (
                <div className="alert alert-warning" role="note">
                  <p>This event has started, so this ticket is no longer sold.</p>
                </div>
              ) : status === 'unlisted' ? (
                <div className="alert alert-warning" role="note">
                  <p>
                    The seller has taken this ticket down, so it is not for sale right now.{' '}
                    <Link href={`/events/${event.id}`}>See other tickets for this event</Link>
                  </p>
                </div>
              ) : ticket.orderId ? (
                <div className="alert alert-warning" role="note">
                  <p>
                    Another buyer has reserved this ticket. If their reservation runs out unpaid, it comes
                    back to the marketplace.
                  </p>
                </div>
              ) : user ? (
                <div className="stack">
                  <p className="center" style={{ margin: 0 }} data-testid="buy-breakdown">
                    {amounts?.line ?? `${price} + platform fee`}
                  </p>
                  <BuyButton ticketId={ticket.id} price={amounts?.total ?? `${price} + fee`} />
                </div>
              ) : (
                <div className="stack">
                  <Link
                    href={signInPath(`/tickets/${ticket.id}`)}
                    className="btn btn-primary btn-lg btn-block"
                  >
                    Sign in to buy
                  </Link>
                  <p className="muted small center" style={{ margin: 0 }}>
                    New here?{' '}
                    <Link href={`/signup?next=${encodeURIComponent(`/tickets/${ticket.id}`)}`}>
                      Create an account
                    </Link>
                  </p>
                </div>
              )}
            </div>
          </div>
        </div>
      </TicketLive>
    </FreshPage>
  );
}
