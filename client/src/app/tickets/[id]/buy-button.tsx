'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiFetch, sleep } from '@/lib/api-client';
import { ApiError, messageFor } from '@/lib/errors';
import { signInPath } from '@/lib/next-path';
import type { Order } from '@/lib/types';

/**
 * Reserves the ticket: creates the order, then goes to it to pay. Orders learns about a new
 * ticket through events, so a ticket listed a moment ago may be unknown there for a short while:
 * a 404 is retried briefly before it is reported.
 */
export function BuyButton({ ticketId, price }: { ticketId: string; price: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  async function buy() {
    setBusy(true);
    setError(null);
    try {
      let order: Order | null = null;
      for (let attempt = 0; order === null; attempt++) {
        try {
          order = await apiFetch<Order>('/api/orders', { method: 'POST', body: { ticketId } });
        } catch (err) {
          if (err instanceof ApiError && err.code === 'NOT_FOUND' && attempt < 6) {
            await sleep(500 * (attempt + 1));
            continue;
          }
          throw err;
        }
      }
      router.push(`/orders/${order.id}`);
    } catch (err) {
      setBusy(false);
      const code = err instanceof ApiError ? err.code : 'UNEXPECTED';
      setError({
        code,
        message:
          code === 'NOT_FOUND'
            ? 'This ticket is not open for orders yet. Try again in a moment.'
            : messageFor(err),
      });
    }
  }

  return (
    <div className="stack">
      <button
        type="button"
        className="btn btn-primary btn-lg btn-block"
        onClick={() => void buy()}
        disabled={busy}
        aria-busy={busy}
      >
        {busy ? (
          <>
            <span className="spinner" aria-hidden="true" /> Reserving your ticket…
          </>
        ) : (
          `Buy for ${price}`
        )}
      </button>
      <div aria-live="assertive">
        {error && (
          <div
            className={`alert ${error.code === 'TICKET_RESERVED' ? 'alert-warning' : 'alert-error'}`}
            role="alert"
          >
            <p>
              {error.message}{' '}
              {error.code === 'NOT_AUTHENTICATED' && (
                <Link href={signInPath(`/tickets/${ticketId}`)}>Sign in</Link>
              )}
              {error.code === 'TICKET_RESERVED' && <Link href="/">Browse other tickets</Link>}
            </p>
          </div>
        )}
      </div>
    </div>
  );
}
