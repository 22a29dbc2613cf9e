'use client';

import { useState } from 'react';
import { TicketCard } from '@/components/ticket-card';
import { api, call } from '@/lib/api-client';
import { messageFor } from '@/lib/errors';
import type { Ticket } from '@/lib/types';

/**
 * The marketplace's next pages: follows `nextCursor` from the browser and appends, so the first
 * page stays server-rendered and the rest loads without leaving the page.
 */
export function LoadMoreTickets({
  q,
  pageSize,
  initialCursor,
}: {
  q: string;
  pageSize: number;
  initialCursor: string | null;
}) {
  const [items, setItems] = useState<Ticket[]>([]);
  const [cursor, setCursor] = useState(initialCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadMore() {
    if (!cursor) return;
    setLoading(true);
    setError(null);
    try {
      const page = await call(
        api.GET('/api/tickets', { params: { query: { cursor, limit: pageSize, q: q || undefined } } }),
      );
      setItems((previous) => {
        const seen = new Set(previous.map((t) => t.id));
        return [...previous, ...page.items.filter((t) => !seen.has(t.id))];
      });
      setCursor(page.nextCursor);
    } catch (err) {
      setError(messageFor(err));
    } finally {
      setLoading(false);
    }
  }

  return (
    <>
      {items.length > 0 && (
        <ul className="grid mt-5" aria-label="More tickets on sale" style={{ padding: 0 }}>
          {items.map((ticket) => (
            <TicketCard key={ticket.id} ticket={ticket} />
          ))}
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
              'Show more tickets'
            )}
          </button>
        ) : (
          items.length > 0 && <p className="muted small">That’s everything on sale.</p>
        )}
      </div>
    </>
  );
}
