'use client';

import { payoutLine, type FeeSchedule } from '@/lib/fees';
import { LISTING_CURRENCIES, minorDigits, parsePrice } from '@/lib/money';
import type { NewTicket, Ticket, TicketChanges } from '@/lib/types';
import { Field } from './field';

/** What the seller types. `price` is text in major units, converted only on submit. */
export interface TicketFieldValues {
  section: string;
  row: string;
  seat: string;
  price: string;
  currency: string;
  note: string;
}

/** A listing as the seller typed it, checked: what the tickets API takes, less the event. */
export type ListingBody = Omit<NewTicket, 'eventId'> & { currency: NonNullable<NewTicket['currency']> };

const SEAT_MAX = 20;
const NOTE_MAX = 280;

/** The body the tickets API takes, or the problems per field. Empty seat parts and note are left out. */
export function validateTicketFields(values: TicketFieldValues): {
  body: ListingBody | null;
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const text = {
    section: values.section.trim(),
    row: values.row.trim(),
    seat: values.seat.trim(),
    note: values.note.trim(),
  };
  for (const [name, label] of [
    ['section', 'Section'],
    ['row', 'Row'],
    ['seat', 'Seat'],
  ] as const) {
    if (text[name].length > SEAT_MAX) errors[name] = `${label} must be at most ${SEAT_MAX} characters`;
  }
  if (text.note.length > NOTE_MAX) errors.note = `Keep the note under ${NOTE_MAX} characters`;
  const price = parsePrice(values.price, values.currency);
  if (!price.ok) errors.price = price.message;
  if (Object.keys(errors).length > 0 || !price.ok) return { body: null, errors };
  // The currency is one the form offers: a listing currency or the ticket's own, both the
  // service's; the service checks it all the same.
  const currency = values.currency as ListingBody['currency'];
  return {
    body: {
      price: price.minor,
      currency,
      ...(text.section ? { section: text.section } : {}),
      ...(text.row ? { row: text.row } : {}),
      ...(text.seat ? { seat: text.seat } : {}),
      ...(text.note ? { note: text.note } : {}),
    },
    errors,
  };
}

/** What an edit changes on `ticket`: only the fields that differ, null clearing a seat part or the note. */
export function changesOf(ticket: Ticket, body: ListingBody): TicketChanges {
  const changes: TicketChanges = {};
  if (body.price !== ticket.price) changes.price = body.price;
  if (body.currency !== ticket.currency) changes.currency = body.currency;
  for (const name of ['section', 'row', 'seat', 'note'] as const) {
    const next = body[name] ?? null;
    if (next !== (ticket[name] ?? null)) changes[name] = next;
  }
  return changes;
}

/** The fields of `ticket` as the form shows them. */
export function fieldValuesOf(
  ticket: Ticket,
  toMajor: (minor: number, currency: string) => string,
): TicketFieldValues {
  return {
    section: ticket.section ?? '',
    row: ticket.row ?? '',
    seat: ticket.seat ?? '',
    note: ticket.note ?? '',
    price: toMajor(ticket.price, ticket.currency),
    currency: ticket.currency,
  };
}

/** Seat, currency, price and note fields, shared by listing and editing. */
export function TicketFields({
  values,
  errors,
  onChange,
  idPrefix = 'ticket',
  currencyLocked = false,
}: {
  values: TicketFieldValues;
  errors: Record<string, string>;
  onChange: (values: TicketFieldValues) => void;
  idPrefix?: string;
  currencyLocked?: boolean;
}) {
  const known = LISTING_CURRENCIES.some((c) => c.code === values.currency);
  const currencies = known
    ? LISTING_CURRENCIES
    : [...LISTING_CURRENCIES, { code: values.currency, label: values.currency.toUpperCase() }];
  const digits = minorDigits(values.currency);
  const seatField = (name: 'section' | 'row' | 'seat', label: string, placeholder: string) => (
    <Field id={`${idPrefix}-${name}`} label={label} error={errors[name]}>
      {(control) => (
        <input
          {...control}
          className="input"
          name={name}
          value={values[name]}
          maxLength={SEAT_MAX}
          placeholder={placeholder}
          autoComplete="off"
          onChange={(e) => onChange({ ...values, [name]: e.target.value })}
        />
      )}
    </Field>
  );
  return (
    <>
      <fieldset className="fieldset">
        <legend className="label">Where you sit (optional)</legend>
        <div className="field-row field-row-3">
          {seatField('section', 'Section', '112')}
          {seatField('row', 'Row', 'F')}
          {seatField('seat', 'Seat', '7')}
        </div>
        <span className="hint">Leave them empty for standing or general admission.</span>
      </fieldset>
      <div className="field-row">
        <Field id={`${idPrefix}-currency`} label="Currency" error={errors.currency}>
          {(control) => (
            <select
              {...control}
              className="select"
              name="currency"
              value={values.currency}
              disabled={currencyLocked}
              onChange={(e) => onChange({ ...values, currency: e.target.value })}
            >
              {currencies.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id={`${idPrefix}-price`}
          label={`Price (${values.currency.toUpperCase()})`}
          hint={digits === 0 ? 'Whole amounts only, e.g. 1500' : `e.g. 25 or 25.50`}
          error={errors.price}
        >
          {(control) => (
            <input
              {...control}
              className="input"
              name="price"
              inputMode={digits === 0 ? 'numeric' : 'decimal'}
              autoComplete="off"
              placeholder={digits === 0 ? '1500' : '25.00'}
              value={values.price}
              onChange={(e) => onChange({ ...values, price: e.target.value })}
            />
          )}
        </Field>
      </div>
      <Field
        id={`${idPrefix}-note`}
        label="Note for buyers (optional)"
        hint="e.g. “Aisle seat, great view of the stage”"
        error={errors.note}
      >
        {(control) => (
          <textarea
            {...control}
            className="input textarea"
            name="note"
            rows={2}
            value={values.note}
            maxLength={NOTE_MAX}
            onChange={(e) => onChange({ ...values, note: e.target.value })}
          />
        )}
      </Field>
    </>
  );
}

/**
 * What buyers pay and what the seller receives for the price typed so far, under the listing form
 * and the edit form alike. `feeSchedule` null: it could not be read.
 */
export function PayoutLine({
  price,
  currency,
  feeSchedule,
}: {
  price: string;
  currency: string;
  feeSchedule: FeeSchedule | null;
}) {
  return (
    <p className="hint" data-testid="sell-payout" aria-live="polite" style={{ margin: 0 }}>
      {payoutLine(price, currency, feeSchedule)}
    </p>
  );
}
