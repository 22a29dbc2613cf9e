import type { Metadata } from 'next';
import Link from 'next/link';
import { EventCard } from '@/components/event-card';
import { FreshPage } from '@/components/fresh-page';
import { Icon } from '@/components/icon';
import { TicketCard } from '@/components/ticket-card';
import { serverApi, serverCall } from '@/lib/api-server';
import {
  browseQuery,
  categoryLabel,
  eventsQuery,
  isFiltered,
  listingsQuery,
  parseBrowse,
  showsListings,
  type BrowseFilters,
} from '@/lib/browse';
import { metaDescription } from '@/lib/seo';
import { siteOrigin } from '@/lib/site';
import { BrowseFiltersForm } from './browse-filters';
import { HomeSearch } from './home-search';
import { LoadMore } from './load-more';

const PAGE_SIZE = 12;

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const SITE_DESCRIPTION =
  'Buy and sell tickets for concerts, sports, theatre, comedy and festivals, from fans. Your ticket is held for you while you pay.';

/** What the filters ask for, in words: "Concert events in London". */
function headingOf(filters: BrowseFilters, listings: boolean): string {
  const what = listings ? 'Tickets' : 'Upcoming events';
  const parts = [filters.category ? `${categoryLabel(filters.category)} · ${what.toLowerCase()}` : what];
  if (filters.q) parts.push(`for “${filters.q}”`);
  if (filters.city) parts.push(`in ${filters.city}`);
  return parts.join(' ');
}

export async function generateMetadata({ searchParams }: { searchParams: SearchParams }): Promise<Metadata> {
  const filters = parseBrowse(await searchParams);
  const origin = await siteOrigin();
  const query = browseQuery(filters);
  const title = query
    ? `${headingOf(filters, showsListings(filters))} · Glotixz`
    : 'Glotixz — tickets from fans, for fans';
  const url = `${origin}/${query ? `?${query}` : ''}`;
  return {
    title: { absolute: title },
    description: metaDescription(SITE_DESCRIPTION),
    alternates: { canonical: url },
    openGraph: { type: 'website', siteName: 'Glotixz', title, description: SITE_DESCRIPTION, url },
    twitter: { card: 'summary', title, description: SITE_DESCRIPTION },
  };
}

/**
 * The marketplace: upcoming events, soonest first, searched and filtered by what the URL says.
 * With a price filter or price order it shows the matching listings instead.
 */
export default async function MarketplacePage({ searchParams }: { searchParams: SearchParams }) {
  const filters = parseBrowse(await searchParams);
  const listings = showsListings(filters);
  const api = await serverApi();
  const page = listings
    ? {
        kind: 'tickets' as const,
        ...(await serverCall(
          api.GET('/api/tickets', { params: { query: listingsQuery(filters, PAGE_SIZE) } }),
        )),
      }
    : {
        kind: 'events' as const,
        ...(await serverCall(api.GET('/api/events', { params: { query: eventsQuery(filters, PAGE_SIZE) } }))),
      };
  const renderId = crypto.randomUUID();
  const filtered = isFiltered(filters);

  return (
    <FreshPage renderId={renderId}>
      <section className="hero" aria-labelledby="hero-title">
        <div className="container">
          <h1 id="hero-title">Find your next night out</h1>
          <p>
            Concerts, sports, theatre and more, with tickets sold by fans. When you buy, the ticket is held
            for you while you pay — nobody else can take it.
          </p>
          <HomeSearch key={filters.q} filters={filters} />
        </div>
      </section>

      <div className="container">
        <BrowseFiltersForm key={browseQuery(filters)} filters={filters} />
        <div className="page-header">
          <div>
            <h2 style={{ margin: 0 }} data-testid="results-heading">
              {headingOf(filters, listings)}
            </h2>
          </div>
          {(filtered || filters.sort === 'price') && (
            <Link href="/" className="btn btn-ghost btn-sm">
              Clear search and filters
            </Link>
          )}
        </div>

        {page.items.length === 0 ? (
          <div className="empty" data-testid="marketplace-empty">
            <div className="empty-icon">
              <Icon name={listings ? 'ticket' : 'calendar'} size={36} />
            </div>
            <h2>
              {filtered
                ? listings
                  ? 'No tickets match your search'
                  : 'No upcoming events match your search'
                : listings
                  ? 'No tickets on sale right now'
                  : 'No upcoming events yet'}
            </h2>
            <p>
              {filtered
                ? 'Try other words, fewer filters or a wider date range.'
                : 'Check back soon, or be the first to list a ticket.'}
            </p>
            <div className="row" style={{ justifyContent: 'center' }}>
              {filtered && (
                <Link href="/" className="btn btn-secondary">
                  Browse all events
                </Link>
              )}
              <Link href="/sell" className="btn btn-primary">
                Sell a ticket
              </Link>
            </div>
          </div>
        ) : (
          <>
            {page.kind === 'events' ? (
              <ul className="event-grid" aria-label="Upcoming events" style={{ padding: 0, margin: 0 }}>
                {page.items.map((event) => (
                  <EventCard key={event.id} event={event} />
                ))}
              </ul>
            ) : (
              <ul className="grid" aria-label="Tickets on sale" style={{ padding: 0, margin: 0 }}>
                {page.items.map((ticket) => (
                  <TicketCard key={ticket.id} ticket={ticket} />
                ))}
              </ul>
            )}
            <LoadMore
              key={`${browseQuery(filters)}:${renderId}`}
              kind={page.kind}
              filters={filters}
              pageSize={PAGE_SIZE}
              initialCursor={page.nextCursor}
            />
          </>
        )}
      </div>
    </FreshPage>
  );
}
