import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { FreshPage } from '@/components/fresh-page';
import { TicketArt } from '@/components/ticket-art';
import { currentUser, serverApi, serverCallOrNull } from '@/lib/api-server';
import { formatMoney } from '@/lib/money';
import { signInPath } from '@/lib/next-path';
import { BuyButton } from './buy-button';
import { LiveStatusBadge, TicketLive } from './ticket-live';

type Params = Promise<{ id: string }>;

/** The ticket, or null when there is none with that id. */
async function findTicket(id: string) {
  const api = await serverApi();
  return serverCallOrNull(api.GET('/api/tickets/{id}', { params: { path: { id } } }));
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const ticket = await findTicket(id);
  return { title: ticket?.title ?? 'Ticket' };
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
  const [ticket, user, api] = await Promise.all([findTicket(id), currentUser(), serverApi()]);
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

  return (
    <FreshPage renderId={crypto.randomUUID()}>
      <TicketLive key={`${ticket.id}:${ticket.version}`} status={ticket.status}>
        <div className="container">
          <Link href="/" className="back-link">
            ← All tickets
          </Link>
          {listed === '1' && mine && (
            <div className="alert alert-success" role="status" style={{ marginBottom: '1.5rem' }}>
              <p>
                Your ticket is on sale. <Link href="/my/listings">See all your listings</Link>
              </p>
            </div>
          )}
          <div className="split">
            <TicketArt id={ticket.id} title={terms.title} large />
            <div className="card stack">
              <div className="row" style={{ justifyContent: 'space-between' }}>
                <LiveStatusBadge />
                <span className="muted small">Sold by a fan · Ticket #{ticket.id.slice(0, 8)}</span>
              </div>
              <h1 style={{ margin: 0 }}>{terms.title}</h1>
              <div>
                <div className="price price-lg" data-testid="ticket-price">
                  {price}
                </div>
                <div className="muted small">{terms.currency.toUpperCase()} · fees included</div>
              </div>

              {mine ? (
                <div className="alert alert-info" role="note">
                  <p>
                    This is your listing.{' '}
                    {ticket.status === 'sold' ? (
                      'A buyer has bought it.'
                    ) : ticket.status === 'reserved' ? (
                      'A buyer has reserved it.'
                    ) : (
                      <Link href="/my/listings">Edit it in My listings</Link>
                    )}
                  </p>
                </div>
              ) : myOrder ? (
                <div className="stack">
                  <div className="alert alert-info" role="note">
                    <p>
                      {myOrder.status === 'complete'
                        ? `You bought this ticket for ${formatMoney(myOrder.ticket.price, myOrder.ticket.currency)}.`
                        : `You have reserved this ticket for ${formatMoney(myOrder.ticket.price, myOrder.ticket.currency)}. Pay before the hold runs out to keep it.`}
                    </p>
                  </div>
                  <Link href={`/orders/${myOrder.id}`} className="btn btn-primary btn-lg btn-block">
                    Go to your order
                  </Link>
                </div>
              ) : ticket.status === 'sold' ? (
                <div className="alert alert-warning" role="note">
                  <p>Another buyer has bought this ticket.</p>
                </div>
              ) : ticket.orderId ? (
                <div className="alert alert-warning" role="note">
                  <p>
                    Another buyer has reserved this ticket. If their reservation runs out unpaid, it comes
                    back to the marketplace.
                  </p>
                </div>
              ) : user ? (
                <BuyButton ticketId={ticket.id} price={price} />
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

              {!mine && !myOrder && ticket.status === 'available' && (
                <ul className="muted small" style={{ margin: 0, paddingLeft: '1.2rem' }}>
                  <li>Your ticket is held for you while you pay — nobody else can buy it meanwhile.</li>
                  <li>Pay securely by card. Unpaid holds expire and the ticket is released.</li>
                </ul>
              )}
            </div>
          </div>
        </div>
      </TicketLive>
    </FreshPage>
  );
}
