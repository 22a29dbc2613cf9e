'use client';

import { useState } from 'react';
import { EventCard } from '@/components/event-card';
import { TicketCard } from '@/components/ticket-card';
import { api, call } from '@/lib/api-client';
import { eventsQuery, listingsQuery, type BrowseFilters } from '@/lib/browse';
import { messageFor } from '@/lib/errors';
import type { MarketEvent, Ticket } from '@/lib/types';

type Item = { kind: 'event'; event: MarketEvent } | { kind: 'ticket'; ticket: Ticket };

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
  const [items, setItems] = useState<Item[]>([]);
  const [cursor, setCursor] = useState(initialCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadMore() {
    if (!cursor) return;
    setLoading(true);
    setError(null);
    try {
      const page: { items: Item[]; nextCursor: string | null } =
        kind === 'events'
          ? await call(
              api.GET('/api/events', { params: { query: eventsQuery(filters, pageSize, cursor) } }),
            ).then((p) => ({ ...p, items: p.items.map((event) => ({ kind: 'event' as const, event })) }))
          : await call(
              api.GET('/api/tickets', { params: { query: listingsQuery(filters, pageSize, cursor) } }),
            ).then((p) => ({ ...p, items: p.items.map((ticket) => ({ kind: 'ticket' as const, ticket })) }));
      setItems((previous) => {
        const seen = new Set(previous.map(idOf));
        return [...previous, ...page.items.filter((item) => !seen.has(idOf(item)))];
      });
      setCursor(page.nextCursor);
    } catch (err) {
      setError(messageFor(err));
    } finally {
      setLoading(false);
    }
  }

  const noun = kind === 'events' ? 'events' : 'tickets';
  return (
    <>
      {items.length > 0 && (
        <ul
          className={kind === 'events' ? 'event-grid mt-5' : 'grid mt-5'}
          aria-label={`More ${noun}`}
          style={{ padding: 0 }}
        >
          {items.map((item) =>
            item.kind === 'event' ? (
              <EventCard key={item.event.id} event={item.event} />
            ) : (
              <TicketCard key={item.ticket.id} ticket={item.ticket} />
            ),
          )}
        </ul>
      )}
      <div className="center mt-5" aria-live="polite">
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        {cursor ? (
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => void loadMore()}
            disabled={loading}
          >
            {loading ? (
              <>
                <span className="spinner" aria-hidden="true" /> Loading…
              </>
            ) : (
              `Show more ${noun}`
            )}
          </button>
        ) : (
          items.length > 0 && (
            <p className="muted small">
              {kind === 'events' ? 'That’s every upcoming event that matches.' : 'That’s everything on sale.'}
            </p>
          )
        )}
      </div>
    </>
  );
}

function idOf(item: Item): string {
  return item.kind === 'event' ? item.event.id : item.ticket.id;
}
