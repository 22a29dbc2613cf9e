'use client';

import { EventCard } from '@/components/event-card';
import { MorePagesControls, useMorePages } from '@/components/more-pages';
import { TicketCard } from '@/components/ticket-card';
import { api, call } from '@/lib/api-client';
import { eventsQuery, listingsQuery, type BrowseFilters } from '@/lib/browse';
import type { MarketEvent, Ticket } from '@/lib/types';

type Item = { kind: 'event'; event: MarketEvent } | { kind: 'ticket'; ticket: Ticket };

function idOf(item: Item): string {
  return item.kind === 'event' ? item.event.id : item.ticket.id;
}

/**
 * The marketplace's next pages: follows `nextCursor` from the browser and appends, so the first
 * page stays server-rendered and the rest loads without leaving the page.
 */
export function LoadMore({
  kind,
  filters,
  pageSize,
  initialCursor,
}: {
  kind: 'events' | 'tickets';
  filters: BrowseFilters;
  pageSize: number;
  initialCursor: string | null;
}) {
  const pages = useMorePages<Item>(
    [],
    initialCursor,
    async (cursor) => {
      if (kind === 'events') {
        const page = await call(
          api.GET('/api/events', { params: { query: eventsQuery(filters, pageSize, cursor) } }),
        );
        return { ...page, items: page.items.map((event) => ({ kind: 'event' as const, event })) };
      }
      const page = await call(
        api.GET('/api/tickets', { params: { query: listingsQuery(filters, pageSize, cursor) } }),
      );
      return { ...page, items: page.items.map((ticket) => ({ kind: 'ticket' as const, ticket })) };
    },
    idOf,
  );

  const noun = kind === 'events' ? 'events' : 'tickets';
  return (
    <>
      {pages.items.length > 0 && (
        <ul
          className={kind === 'events' ? 'event-grid mt-5' : 'grid mt-5'}
          aria-label={`More ${noun}`}
          style={{ padding: 0 }}
        >
          {pages.items.map((item) =>
            item.kind === 'event' ? (
              <EventCard key={item.event.id} event={item.event} />
            ) : (
              <TicketCard key={item.ticket.id} ticket={item.ticket} />
            ),
          )}
        </ul>
      )}
      <MorePagesControls
        pages={pages}
        label={`Show more ${noun}`}
        done={
          pages.items.length === 0
            ? null
            : kind === 'events'
              ? 'That’s every upcoming event that matches.'
              : 'That’s everything on sale.'
        }
      />
    </>
  );
}
