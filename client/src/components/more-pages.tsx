'use client';

import { useState, type Dispatch, type SetStateAction } from 'react';
import { messageFor } from '@/lib/errors';

/** A list's next pages, followed through `nextCursor` from the browser. */
export interface MorePages<T> {
  items: T[];
  setItems: Dispatch<SetStateAction<T[]>>;
  cursor: string | null;
  loading: boolean;
  error: string | null;
  loadMore: () => Promise<void>;
}

/**
 * Appends the pages after the server-rendered first one, skipping what is already shown (a row
 * can move between pages while the visitor reads).
 */
export function useMorePages<T>(
  initial: T[],
  initialCursor: string | null,
  fetchPage: (cursor: string) => Promise<{ items: T[]; nextCursor: string | null }>,
  idOf: (item: T) => string,
): MorePages<T> {
  const [items, setItems] = useState(initial);
  const [cursor, setCursor] = useState(initialCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadMore() {
    if (!cursor) return;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchPage(cursor);
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

  return { items, setItems, cursor, loading, error, loadMore };
}

/** The "Show more" button under a list, its error, and what is said once everything is shown. */
export function MorePagesControls({
  pages,
  label,
  done,
}: {
  pages: Pick<MorePages<unknown>, 'cursor' | 'loading' | 'error' | 'loadMore'>;
  label: string;
  /** Said when the last page is in, or null to say nothing. */
  done: string | null;
}) {
  return (
    <div className="center mt-5" aria-live="polite">
      {pages.error && (
        <p className="field-error" role="alert">
          {pages.error}
        </p>
      )}
      {pages.cursor ? (
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => void pages.loadMore()}
          disabled={pages.loading}
        >
          {pages.loading ? (
            <>
              <span className="spinner" aria-hidden="true" /> Loading…
            </>
          ) : (
            label
          )}
        </button>
      ) : (
        done && <p className="muted small">{done}</p>
      )}
    </div>
  );
}
