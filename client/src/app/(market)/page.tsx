import Link from 'next/link';
import { FreshPage } from '@/components/fresh-page';
import { TicketCard } from '@/components/ticket-card';
import { listTickets } from '@/lib/api-server';
import { truncateText } from '@/lib/text';
import { LoadMoreTickets } from './load-more-tickets';
import { Icon } from '@/components/icon';

const PAGE_SIZE = 12;

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

/** The marketplace: available tickets, newest first, with search and more on demand. */
export default async function MarketplacePage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const q = truncateText(first(params.q), 200);
  const page = await listTickets({ q, limit: PAGE_SIZE });
  const renderId = crypto.randomUUID();

  return (
    <FreshPage renderId={renderId}>
      <section className="hero" aria-labelledby="hero-title">
        <div className="container">
          <h1 id="hero-title">Find your next night out</h1>
          <p>
            Tickets for concerts, theatre and games, sold by fans. When you buy, the ticket is held for you
            while you pay — nobody else can take it.
          </p>
          <form className="search" role="search" action="/" method="get">
            <label htmlFor="q" className="visually-hidden">
              Search tickets
            </label>
            <input
              id="q"
              name="q"
              type="search"
              className="input"
              placeholder="Search by event, artist or venue"
              defaultValue={q}
              maxLength={200}
              autoComplete="off"
            />
            <button type="submit" className="btn btn-primary">
              Search
            </button>
          </form>
        </div>
      </section>

      <div className="container">
        <div className="page-header">
          <div>
            <h2 style={{ margin: 0 }}>{q ? `Results for “${q}”` : 'Available now'}</h2>
          </div>
          {q && (
            <Link href="/" className="btn btn-ghost btn-sm">
              Clear search
            </Link>
          )}
        </div>

        {page.items.length === 0 ? (
          <div className="empty" data-testid="marketplace-empty">
            <div className="empty-icon">
              <Icon name="ticket" size={36} />
            </div>
            <h2>{q ? 'No tickets match your search' : 'No tickets on sale right now'}</h2>
            <p>
              {q
                ? 'Try another word, or browse everything on sale.'
                : 'Check back soon, or be the first to list one.'}
            </p>
            <div className="row" style={{ justifyContent: 'center' }}>
              {q && (
                <Link href="/" className="btn btn-secondary">
                  Browse all tickets
                </Link>
              )}
              <Link href="/sell" className="btn btn-primary">
                Sell a ticket
              </Link>
            </div>
          </div>
        ) : (
          <>
            <ul className="grid" aria-label="Tickets on sale" style={{ padding: 0, margin: 0 }}>
              {page.items.map((ticket) => (
                <TicketCard key={ticket.id} ticket={ticket} />
              ))}
            </ul>
            <LoadMoreTickets
              key={`${q}:${renderId}`}
              q={q}
              pageSize={PAGE_SIZE}
              initialCursor={page.nextCursor}
            />
          </>
        )}
      </div>
    </FreshPage>
  );
}
