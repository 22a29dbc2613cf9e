'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { usePageStale } from '@/components/fresh-page';
import { api, call, sleep } from '@/lib/api-client';
import { ApiError, messageFor } from '@/lib/errors';
import { signInPath } from '@/lib/next-path';
import type { Order } from '@/lib/types';
import { useTicketLive } from './ticket-live';

/**
 * Reserves the ticket: creates the order, then goes to it to pay. Orders learns about a new
 * ticket through events, so a ticket listed a moment ago may be unknown there for a short while:
 * a 404 is retried briefly before it is reported.
 *
 * When someone else reserved it first (TICKET_RESERVED), Buy stays disabled, the page says the
 * ticket is reserved, and the ticket is read again until the tickets service agrees, so the page
 * re-renders in its reserved state. While the page is being read again after Back, Buy waits.
 */
export function BuyButton({ ticketId, price }: { ticketId: string; price: string }) {
  const router = useRouter();
  const stale = usePageStale();
  const live = useTicketLive();
  const [busy, setBusy] = useState(false);
  const [taken, setTaken] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  // Taken: re-read the ticket until the tickets service has recorded the reservation, then the page.
  useEffect(() => {
    if (!taken) return;
    const controller = new AbortController();
    void (async () => {
      for (let attempt = 0; attempt < 20 && !controller.signal.aborted; attempt++) {
        const fresh = await call(
          api.GET('/api/tickets/{id}', { params: { path: { id: ticketId } }, signal: controller.signal }),
        ).catch(() => null);
        if (controller.signal.aborted) return;
        if (fresh && fresh.status !== 'available') break;
        await sleep(500, controller.signal).catch(() => undefined);
      }
      if (!controller.signal.aborted) router.refresh();
    })();
    return () => controller.abort();
  }, [taken, ticketId, router]);

  async function buy() {
    setBusy(true);
    setError(null);
    try {
      let order: Order | null = null;
      for (let attempt = 0; order === null; attempt++) {
        try {
          order = await call(api.POST('/api/orders', { body: { ticketId } }));
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
      if (code === 'TICKET_RESERVED') {
        setTaken(true);
        live.markTaken();
      }
      setError({
        code,
        message:
          code === 'NOT_FOUND'
            ? 'This ticket is not open for orders yet. Try again in a moment.'
            : messageFor(err),
      });
    }
  }

  const disabled = busy || taken || stale || live.status !== 'available';

  return (
    <div className="stack">
      <button
        type="button"
        className="btn btn-primary btn-lg btn-block"
        onClick={() => void buy()}
        disabled={disabled}
        aria-busy={busy || stale}
      >
        {busy ? (
          <>
            <span className="spinner" aria-hidden="true" /> Reserving your ticket…
          </>
        ) : taken ? (
          'Reserved by another buyer'
        ) : stale ? (
          <>
            <span className="spinner" aria-hidden="true" /> Checking availability…
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
              {error.code === 'HOLD_LIMIT_REACHED' && <Link href="/orders">See your orders</Link>}
            </p>
          </div>
        )}
      </div>
    </div>
  );
}
