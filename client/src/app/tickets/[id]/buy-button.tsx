'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { usePageStale } from '@/components/fresh-page';
import { api, call, sleep } from '@/lib/api-client';
import { ApiError, messageFor } from '@/lib/errors';
import { signInPath } from '@/lib/next-path';
import type { Order, TicketStatus } from '@/lib/types';
import { useTicketLive } from './ticket-live';

/** Orders learns of a new listing through events: unknown there for a moment after it is listed. */
const NOT_YET_KNOWN = new Set(['NOT_FOUND', 'TICKET_NOT_FOUND']);

/** The refusals that mean the ticket cannot be ordered now, whoever tries: the status each means, and the button's label. */
const REFUSALS: Record<string, { status: Exclude<TicketStatus, 'available'>; label: string }> = {
  TICKET_RESERVED: { status: 'reserved', label: 'Reserved by another buyer' },
  TICKET_SOLD: { status: 'sold', label: 'Sold to another buyer' },
  TICKET_UNLISTED: { status: 'unlisted', label: 'Taken down by the seller' },
  EVENT_STARTED: { status: 'closed', label: 'The event has started' },
};

/**
 * Reserves the ticket: creates the order, then goes to it to pay. Orders learns about a new
 * ticket through events, so a ticket listed a moment ago may be unknown there for a short while:
 * a 404 is retried briefly before it is reported.
 *
 * When the ticket can no longer be ordered (someone else reserved or bought it first, its seller
 * took it down, its event started), Buy stays disabled, the page says why, and the ticket is read
 * again until the tickets service agrees, so the page re-renders in its new state. While the page
 * is being read again after Back, Buy waits.
 *
 * `label` names the button for assistive technology where several Buy buttons share a page.
 */
export function BuyButton({
  ticketId,
  price,
  label,
  returnPath = `/tickets/${ticketId}`,
}: {
  ticketId: string;
  price: string;
  label?: string;
  /** Where sign-in brings the buyer back to. */
  returnPath?: string;
}) {
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
          if (err instanceof ApiError && NOT_YET_KNOWN.has(err.code) && attempt < 6) {
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
      const refusal = REFUSALS[code];
      if (refusal) {
        setTaken(true);
        live.markTaken(refusal.status);
      }
      setError({
        code,
        message: NOT_YET_KNOWN.has(code)
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
        aria-label={label && !busy && !taken && !stale ? label : undefined}
      >
        {busy ? (
          <>
            <span className="spinner" aria-hidden="true" /> Reserving your ticket…
          </>
        ) : taken ? (
          (REFUSALS[error?.code ?? '']?.label ?? 'Not available')
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
          <div className={`alert ${error.code in REFUSALS ? 'alert-warning' : 'alert-error'}`} role="alert">
            <p>
              {error.message}{' '}
              {error.code === 'NOT_AUTHENTICATED' && <Link href={signInPath(returnPath)}>Sign in</Link>}
              {error.code in REFUSALS && <Link href="/">Browse other tickets</Link>}
              {error.code === 'HOLD_LIMIT_REACHED' && <Link href="/orders">See your orders</Link>}
            </p>
          </div>
        )}
      </div>
    </div>
  );
}
