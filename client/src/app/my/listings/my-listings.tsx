'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { FormMessage, SubmitButton } from '@/components/field';
import { ListingStatusBadge } from '@/components/status-badge';
import { TicketSwatch } from '@/components/ticket-art';
import { TicketFields, validateTicketFields, type TicketFieldValues } from '@/components/ticket-fields';
import { api, call } from '@/lib/api-client';
import { ApiError, fieldErrors, messageFor } from '@/lib/errors';
import { listingState, lockedNotice } from '@/lib/listing-status';
import { formatMoney, toMajorInput } from '@/lib/money';
import type { Ticket } from '@/lib/types';

/** The seller's tickets with inline editing, and more pages on demand. */
export function MyListings({ initial, initialCursor }: { initial: Ticket[]; initialCursor: string | null }) {
  const [tickets, setTickets] = useState(initial);
  const [cursor, setCursor] = useState(initialCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadMore() {
    if (!cursor) return;
    setLoading(true);
    setError(null);
    try {
      const page = await call(api.GET('/api/tickets/mine', { params: { query: { limit: 50, cursor } } }));
      setTickets((previous) => [
        ...previous,
        ...page.items.filter((t) => !previous.some((p) => p.id === t.id)),
      ]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(messageFor(err));
    } finally {
      setLoading(false);
    }
  }

  return (
    <>
      <ul className="list" aria-label="Your tickets">
        {tickets.map((ticket) => (
          <ListingRow
            key={ticket.id}
            ticket={ticket}
            onSaved={(saved) => setTickets((all) => all.map((t) => (t.id === saved.id ? saved : t)))}
          />
        ))}
      </ul>
      <div className="center mt-5" aria-live="polite">
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        {cursor && (
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => void loadMore()}
            disabled={loading}
          >
            {loading ? 'Loading…' : 'Show more'}
          </button>
        )}
      </div>
    </>
  );
}

function ListingRow({ ticket, onSaved }: { ticket: Ticket; onSaved: (ticket: Ticket) => void }) {
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<TicketFieldValues>(valuesOf(ticket));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const state = listingState(ticket.status);
  const titleId = `listing-${ticket.id}-title`;
  // Reserved or sold: shown at the terms the buyer's order holds, whatever the listing says now.
  const terms = ticket.status !== 'available' && ticket.heldTerms ? ticket.heldTerms : ticket;

  function startEditing() {
    setValues(valuesOf(ticket));
    setErrors({});
    setFormError(null);
    setNotice(null);
    setEditing(true);
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    const checked = validateTicketFields(values);
    setErrors(checked.errors);
    if (!checked.body) return;
    const changes: Partial<typeof checked.body> = {};
    if (checked.body.title !== ticket.title) changes.title = checked.body.title;
    if (checked.body.price !== ticket.price) changes.price = checked.body.price;
    if (checked.body.currency !== ticket.currency) changes.currency = checked.body.currency;
    if (Object.keys(changes).length === 0) {
      setEditing(false);
      return;
    }
    setBusy(true);
    try {
      const saved = await call(
        api.PUT('/api/tickets/{id}', { params: { path: { id: ticket.id } }, body: changes }),
      );
      onSaved(saved);
      setEditing(false);
      setNotice({ ok: true, text: 'Saved.' });
    } catch (err) {
      const fields = fieldErrors(err);
      if (Object.keys(fields).length > 0) setErrors(fields);
      else if (err instanceof ApiError && err.code === 'TICKET_RESERVED') {
        const fresh = await call(api.GET('/api/tickets/{id}', { params: { path: { id: ticket.id } } })).catch(
          () => null,
        );
        if (fresh) onSaved(fresh);
        setEditing(false);
        setNotice({ ok: false, text: lockedNotice(fresh) });
      } else setFormError(messageFor(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="list-item" data-testid="listing" aria-labelledby={titleId}>
      <TicketSwatch id={ticket.id} title={terms.title} />
      <div className="list-item-main">
        {editing ? (
          <form
            className="form"
            onSubmit={(e) => void save(e)}
            noValidate
            aria-label={`Edit ${ticket.title}`}
          >
            <span id={titleId} className="visually-hidden">
              {ticket.title}
            </span>
            <div aria-live="assertive">
              {formError && <FormMessage kind="error">{formError}</FormMessage>}
            </div>
            <TicketFields
              values={values}
              errors={errors}
              onChange={setValues}
              idPrefix={`edit-${ticket.id}`}
            />
            <div className="row">
              <SubmitButton busy={busy} busyLabel="Saving…" className="btn btn-primary">
                Save changes
              </SubmitButton>
              <button
                type="button"
                className="btn btn-ghost"
                onClick={() => setEditing(false)}
                disabled={busy}
              >
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <>
            <div className="row" style={{ gap: '0.5rem' }}>
              <Link id={titleId} href={`/tickets/${ticket.id}`} className="list-item-title">
                {terms.title}
              </Link>
              <ListingStatusBadge status={ticket.status} />
            </div>
            <div className="list-item-sub">
              <span className="price" style={{ fontSize: '1rem' }} data-testid="listing-price">
                {formatMoney(terms.price, terms.currency)}
              </span>
              {state.note && ` · ${state.note}`}
            </div>
            <div aria-live="polite" className="small">
              {notice && (
                <span style={{ color: notice.ok ? 'var(--success)' : 'var(--warning)', fontWeight: 600 }}>
                  {notice.text}
                </span>
              )}
            </div>
          </>
        )}
      </div>
      {!editing && (
        <div className="row">
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            onClick={startEditing}
            disabled={!state.editable}
            aria-label={`Edit ${ticket.title}`}
            title={state.lockedReason ?? undefined}
          >
            Edit
          </button>
        </div>
      )}
    </li>
  );
}

function valuesOf(ticket: Ticket): TicketFieldValues {
  return {
    title: ticket.title,
    price: toMajorInput(ticket.price, ticket.currency),
    currency: ticket.currency,
  };
}
