'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { FormMessage, SubmitButton } from '@/components/field';
import { MorePagesControls, useMorePages } from '@/components/more-pages';
import { ListingStatusBadge } from '@/components/status-badge';
import { TicketSwatch } from '@/components/ticket-art';
import {
  changesOf,
  fieldValuesOf,
  PayoutLine,
  TicketFields,
  validateTicketFields,
  type TicketFieldValues,
} from '@/components/ticket-fields';
import { api, call } from '@/lib/api-client';
import { ApiError, fieldErrors, messageFor } from '@/lib/errors';
import { listingState, lockedNotice } from '@/lib/listing-status';
import { formatEventStartLine } from '@/lib/event-time';
import type { FeeSchedule } from '@/lib/fees';
import { formatMoney, toMajorInput } from '@/lib/money';
import type { Ticket } from '@/lib/types';

/**
 * The seller's tickets with inline editing, and more pages on demand. While a price is edited it
 * says what buyers pay and what the seller receives, under `feeSchedule` (null: not readable).
 */
export function MyListings({
  initial,
  initialCursor,
  feeSchedule,
}: {
  initial: Ticket[];
  initialCursor: string | null;
  feeSchedule: FeeSchedule | null;
}) {
  const pages = useMorePages(
    initial,
    initialCursor,
    (cursor) => call(api.GET('/api/tickets/mine', { params: { query: { limit: 50, cursor } } })),
    (ticket) => ticket.id,
  );

  return (
    <>
      <ul className="list" aria-label="Your tickets">
        {pages.items.map((ticket) => (
          <ListingRow
            key={ticket.id}
            ticket={ticket}
            feeSchedule={feeSchedule}
            onSaved={(saved) => pages.setItems((all) => all.map((t) => (t.id === saved.id ? saved : t)))}
          />
        ))}
      </ul>
      <MorePagesControls pages={pages} label="Show more" done={null} />
    </>
  );
}

/** Take down and relist: the route each calls, and what it says once done. */
const ACTIONS = {
  'take-down': { label: 'Take down', busy: 'Taking down…', done: 'Taken down.' },
  relist: { label: 'Relist', busy: 'Relisting…', done: 'Back on sale.' },
} as const;

function ListingRow({
  ticket,
  feeSchedule,
  onSaved,
}: {
  ticket: Ticket;
  feeSchedule: FeeSchedule | null;
  onSaved: (ticket: Ticket) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<TicketFieldValues>(fieldValuesOf(ticket, toMajorInput));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [acting, setActing] = useState(false);
  const state = listingState(ticket.status);
  const titleId = `listing-${ticket.id}-title`;
  // Reserved or sold: shown at the terms the buyer's order holds, whatever the listing says now.
  const held = ticket.status === 'reserved' || ticket.status === 'sold';
  const terms = held && ticket.heldTerms ? ticket.heldTerms : ticket;
  const action = state.action ? ACTIONS[state.action] : null;

  function startEditing() {
    setValues(fieldValuesOf(ticket, toMajorInput));
    setErrors({});
    setFormError(null);
    setNotice(null);
    setEditing(true);
  }

  /** A 409 on an edit, take-down or relist: the listing changed meanwhile; show it as it is now. */
  async function refused(code: string) {
    const fresh = await call(api.GET('/api/tickets/{id}', { params: { path: { id: ticket.id } } })).catch(
      () => null,
    );
    if (fresh) onSaved(fresh);
    setEditing(false);
    setNotice({ ok: false, text: lockedNotice(fresh, code) });
  }

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(null);
    const checked = validateTicketFields(values);
    setErrors(checked.errors);
    if (!checked.body) return;
    const changes = changesOf(ticket, checked.body);
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
      else if (err instanceof ApiError && err.status === 409) await refused(err.code);
      else setFormError(messageFor(err));
    } finally {
      setBusy(false);
    }
  }

  async function act() {
    if (!state.action) return;
    setActing(true);
    setNotice(null);
    const done = ACTIONS[state.action].done;
    try {
      const path = { params: { path: { id: ticket.id } } };
      const saved = await call(
        state.action === 'take-down'
          ? api.DELETE('/api/tickets/{id}', path)
          : api.POST('/api/tickets/{id}/relist', path),
      );
      onSaved(saved);
      setNotice({ ok: true, text: done });
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) await refused(err.code);
      else setNotice({ ok: false, text: messageFor(err) });
    } finally {
      setActing(false);
    }
  }

  return (
    <li className="list-item" data-testid="listing" aria-labelledby={titleId}>
      <TicketSwatch id={ticket.eventId} title={ticket.event.name} />
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
            <PayoutLine price={values.price} currency={values.currency} feeSchedule={feeSchedule} />
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
              {formatEventStartLine(ticket.event.startsAt, ticket.event.timezone)} · {ticket.event.venue},{' '}
              {ticket.event.city}
            </div>
            <div className="list-item-sub">
              <span className="price" style={{ fontSize: '1rem' }} data-testid="listing-price">
                {formatMoney(terms.price, terms.currency)}
              </span>
              {state.note && ` · ${state.note}`}
            </div>
            <div aria-live="polite" className="small">
              {notice && (
                <span
                  style={{ color: notice.ok ? 'var(--success)' : 'var(--warning)', fontWeight: 600 }}
                  data-testid="listing-notice"
                >
                  {notice.text}
                </span>
              )}
            </div>
          </>
        )}
      </div>
      {!editing && (
        <div className="row listing-actions">
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            onClick={startEditing}
            disabled={!state.editable || acting}
            aria-label={`Edit ${ticket.title}`}
            title={state.lockedReason ?? undefined}
          >
            Edit
          </button>
          {action && (
            <button
              type="button"
              className={state.action === 'take-down' ? 'btn btn-ghost btn-sm' : 'btn btn-primary btn-sm'}
              onClick={() => void act()}
              disabled={acting}
              aria-label={`${action.label} ${ticket.title}`}
            >
              {acting ? action.busy : action.label}
            </button>
          )}
        </div>
      )}
    </li>
  );
}
