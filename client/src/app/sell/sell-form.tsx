'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { EventCombobox } from '@/components/event-combobox';
import { FormMessage, SubmitButton } from '@/components/field';
import {
  PayoutLine,
  TicketFields,
  validateTicketFields,
  type TicketFieldValues,
} from '@/components/ticket-fields';
import { api, call } from '@/lib/api-client';
import { ApiError, fieldErrors, messageFor } from '@/lib/errors';
import { formatEventStartLine } from '@/lib/event-time';
import type { FeeSchedule } from '@/lib/fees';
import type { MarketEvent } from '@/lib/types';
import { EventForm } from './event-form';

type Step =
  { kind: 'search' } | { kind: 'create' } | { kind: 'chosen'; event: MarketEvent; note: string | null };

/**
 * Listing a ticket in two steps: which event (search as you type, or create it), then the seat,
 * price (typed in major units, sent as integer minor units), currency and a note. As the price is
 * typed it says what buyers pay (the price plus the platform fee of `feeSchedule`) and what the
 * seller receives (the price).
 */
export function SellForm({
  initialEvent,
  feeSchedule,
}: {
  initialEvent: MarketEvent | null;
  /** The platform fee schedule; null when it could not be read. */
  feeSchedule: FeeSchedule | null;
}) {
  const router = useRouter();
  const [step, setStep] = useState<Step>(
    initialEvent ? { kind: 'chosen', event: initialEvent, note: null } : { kind: 'search' },
  );
  const [query, setQuery] = useState('');
  const [values, setValues] = useState<TicketFieldValues>({
    section: '',
    row: '',
    seat: '',
    price: '',
    currency: 'usd',
    note: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function choose(event: MarketEvent, note: string | null) {
    setStep({ kind: 'chosen', event, note });
    setFormError(null);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (step.kind !== 'chosen') return;
    setFormError(null);
    const checked = validateTicketFields(values);
    setErrors(checked.errors);
    if (!checked.body) return;
    setBusy(true);
    try {
      const ticket = await call(
        api.POST('/api/tickets', { body: { eventId: step.event.id, ...checked.body } }),
      );
      router.push(`/tickets/${ticket.id}?listed=1`);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'NOT_AUTHENTICATED') {
        router.push('/signin?next=%2Fsell');
        return;
      }
      if (err instanceof ApiError && (err.code === 'EVENT_STARTED' || err.code === 'EVENT_NOT_FOUND')) {
        setStep({ kind: 'search' });
      }
      const fields = fieldErrors(err);
      if (Object.keys(fields).length > 0) setErrors(fields);
      else setFormError(messageFor(err));
    }
  }

  return (
    <div className="stack">
      <section className="card stack" aria-labelledby="sell-event-step">
        <h2 id="sell-event-step" className="step-title">
          <span className="step-number" aria-hidden="true">
            1
          </span>{' '}
          Which event?
        </h2>
        {step.kind === 'chosen' ? (
          <div className="chosen-event" data-testid="chosen-event">
            {step.note && (
              <FormMessage kind={step.note.startsWith('Found') ? 'info' : 'success'}>{step.note}</FormMessage>
            )}
            <div className="row" style={{ justifyContent: 'space-between' }}>
              <div>
                <strong>{step.event.name}</strong>
                <div className="muted small">
                  {formatEventStartLine(step.event.startsAt, step.event.timezone)} · {step.event.venue},{' '}
                  {step.event.city}
                </div>
              </div>
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => setStep({ kind: 'search' })}
              >
                Change event
              </button>
            </div>
          </div>
        ) : step.kind === 'create' ? (
          <EventForm
            initialName={query}
            onCancel={() => setStep({ kind: 'search' })}
            onReady={(event, existed) =>
              choose(
                event,
                existed
                  ? 'Found existing event: it was already on Glotixz, so your ticket joins its listings.'
                  : 'Event created.',
              )
            }
          />
        ) : (
          <div className="stack">
            <EventCombobox
              id="sell-event"
              label="Search for the event"
              placeholder="Artist, show, team or venue"
              value={query}
              onValueChange={setQuery}
              onPick={(event) => choose(event, null)}
              describedBy="sell-event-hint"
              footer={
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => setStep({ kind: 'create' })}
                >
                  + Create “{query.trim()}” as a new event
                </button>
              }
            />
            <p id="sell-event-hint" className="hint" style={{ margin: 0 }}>
              Not listed yet?{' '}
              <button type="button" className="link-button" onClick={() => setStep({ kind: 'create' })}>
                Create the event
              </button>
            </p>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="sell-ticket-step" aria-disabled={step.kind !== 'chosen'}>
        <h2 id="sell-ticket-step" className="step-title">
          <span className="step-number" aria-hidden="true">
            2
          </span>{' '}
          Your ticket
        </h2>
        {step.kind === 'chosen' ? (
          <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label="List a ticket">
            <div aria-live="assertive">
              {formError && <FormMessage kind="error">{formError}</FormMessage>}
            </div>
            <TicketFields values={values} errors={errors} onChange={setValues} />
            <PayoutLine price={values.price} currency={values.currency} feeSchedule={feeSchedule} />
            <SubmitButton busy={busy} busyLabel="Listing your ticket…">
              List ticket
            </SubmitButton>
          </form>
        ) : (
          <>
            <div aria-live="assertive">
              {formError && <FormMessage kind="error">{formError}</FormMessage>}
            </div>
            <p className="muted" style={{ margin: 0 }}>
              Pick or create the event first, then add your seat and price.
            </p>
          </>
        )}
      </section>
    </div>
  );
}
