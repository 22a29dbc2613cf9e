'use client';

import { LISTING_CURRENCIES, minorDigits, parsePrice } from '@/lib/money';
import type { NewTicket } from '@/lib/types';
import { Field } from './field';

/** What the seller types. `price` is text in major units, converted only on submit. */
export interface TicketFieldValues {
  title: string;
  price: string;
  currency: string;
}

/** The body the tickets API takes, or the problems per field. */
export function validateTicketFields(values: TicketFieldValues): {
  body: Required<NewTicket> | null;
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const title = values.title.trim();
  if (title.length === 0) errors.title = 'Give your ticket a title';
  else if (title.length > 200) errors.title = 'Keep the title under 200 characters';
  const price = parsePrice(values.price, values.currency);
  if (!price.ok) errors.price = price.message;
  if (Object.keys(errors).length > 0 || !price.ok) return { body: null, errors };
  // The currency is one the form offers: a listing currency or the ticket's own, both the
  // service's; the service checks it all the same.
  const currency = values.currency as Required<NewTicket>['currency'];
  return { body: { title, price: price.minor, currency }, errors };
}

/** Title, currency and price fields, shared by listing and editing. */
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
  return (
    <>
      <Field
        id={`${idPrefix}-title`}
        label="Title"
        hint="Event, date and seat — e.g. “Jazz in the Park · Sat 14 June · Row C”"
        error={errors.title}
      >
        {(control) => (
          <input
            {...control}
            className="input"
            name="title"
            value={values.title}
            maxLength={200}
            autoComplete="off"
            onChange={(e) => onChange({ ...values, title: e.target.value })}
          />
        )}
      </Field>
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
    </>
  );
}
