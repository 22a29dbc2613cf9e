'use client';

import { useState, type FormEvent } from 'react';
import { Field, FormMessage, SubmitButton } from '@/components/field';
import { api } from '@/lib/api-client';
import { CATEGORIES, type Category } from '@/lib/browse';
import { ApiError, fieldErrors, messageFor } from '@/lib/errors';
import { zonedToIso } from '@/lib/event-time';
import { COUNTRIES, defaultZone, TIME_ZONES, zoneLabel } from '@/lib/places';
import type { MarketEvent, NewEvent } from '@/lib/types';

interface EventValues {
  name: string;
  venue: string;
  city: string;
  country: string;
  /** Wall-clock time in `timezone`, as `<input type="datetime-local">` gives it. */
  startsAt: string;
  timezone: string;
  category: Category;
}

/** The problems per field of what the seller typed, or the body POST /api/events takes. */
export function validateEvent(
  values: EventValues,
  now: number,
): { body: NewEvent | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const text = { name: values.name.trim(), venue: values.venue.trim(), city: values.city.trim() };
  if (!text.name) errors.name = 'Name the event, e.g. the artist or the match';
  else if (text.name.length > 120) errors.name = 'Keep the name under 120 characters';
  if (!text.venue) errors.venue = 'Where is it? Name the venue';
  else if (text.venue.length > 120) errors.venue = 'Keep the venue under 120 characters';
  if (!text.city) errors.city = 'Enter the city';
  else if (text.city.length > 80) errors.city = 'Keep the city under 80 characters';
  if (!/^[A-Z]{2}$/.test(values.country)) errors.country = 'Pick the country';
  const startsAt = values.startsAt ? zonedToIso(values.startsAt, values.timezone) : null;
  if (!values.startsAt) errors.startsAt = 'Enter the date and start time';
  else if (!startsAt) errors.startsAt = 'Enter a real date and time';
  else if (Date.parse(startsAt) <= now) errors.startsAt = 'The event must start in the future';
  if (Object.keys(errors).length > 0 || !startsAt) return { body: null, errors };
  return {
    body: {
      ...text,
      country: values.country,
      startsAt,
      timezone: values.timezone,
      category: values.category,
    },
    errors,
  };
}

/**
 * Creating the event a ticket is for: name, venue, city, country, the start as the venue's clock
 * shows it (in the zone picked) and a category. The tickets service answers the event that
 * already exists when it is the same one (201 created, 200 found), and the seller is told which.
 */
export function EventForm({
  initialName,
  onReady,
  onCancel,
}: {
  initialName: string;
  onReady: (event: MarketEvent, existed: boolean) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<EventValues>({
    name: initialName,
    venue: '',
    city: '',
    country: 'GB',
    startsAt: '',
    timezone: defaultZone('GB'),
    category: 'concert',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<EventValues>) => setValues((current) => ({ ...current, ...patch }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    event.stopPropagation();
    setFormError(null);
    const checked = validateEvent(values, Date.now());
    setErrors(checked.errors);
    if (!checked.body) return;
    setBusy(true);
    try {
      const answer = await api.POST('/api/events', { body: checked.body });
      if (!answer.response.ok || !answer.data) {
        throw ApiError.fromBody(answer.response.status, answer.error);
      }
      onReady(answer.data, answer.response.status === 200);
    } catch (err) {
      setBusy(false);
      const fields = fieldErrors(err);
      if (Object.keys(fields).length > 0) setErrors(fields);
      else setFormError(messageFor(err));
    }
  }

  const zones = TIME_ZONES.includes(values.timezone) ? TIME_ZONES : [values.timezone, ...TIME_ZONES];

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label="Create the event">
      <div aria-live="assertive">{formError && <FormMessage kind="error">{formError}</FormMessage>}</div>
      <Field
        id="event-name"
        label="Event name"
        hint="The artist, show or match, e.g. “Arctic Monkeys”"
        error={errors.name}
      >
        {(control) => (
          <input
            {...control}
            className="input"
            name="name"
            value={values.name}
            maxLength={120}
            autoComplete="off"
            onChange={(e) => set({ name: e.target.value })}
          />
        )}
      </Field>
      <div className="field-row">
        <Field id="event-venue" label="Venue" error={errors.venue}>
          {(control) => (
            <input
              {...control}
              className="input"
              name="venue"
              value={values.venue}
              maxLength={120}
              autoComplete="off"
              onChange={(e) => set({ venue: e.target.value })}
            />
          )}
        </Field>
        <Field id="event-city" label="City" error={errors.city}>
          {(control) => (
            <input
              {...control}
              className="input"
              name="city"
              value={values.city}
              maxLength={80}
              autoComplete="off"
              onChange={(e) => set({ city: e.target.value })}
            />
          )}
        </Field>
      </div>
      <div className="field-row">
        <Field id="event-country" label="Country" error={errors.country}>
          {(control) => (
            <select
              {...control}
              className="select"
              name="country"
              value={values.country}
              onChange={(e) => set({ country: e.target.value, timezone: defaultZone(e.target.value) })}
            >
              {COUNTRIES.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="event-category" label="Category" error={errors.category}>
          {(control) => (
            <select
              {...control}
              className="select"
              name="category"
              value={values.category}
              onChange={(e) => set({ category: e.target.value as Category })}
            >
              {CATEGORIES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label.replace(/s$/, '')}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="field-row">
        <Field
          id="event-starts"
          label="Date and start time"
          hint="As the venue’s clock shows it"
          error={errors.startsAt}
        >
          {(control) => (
            <input
              {...control}
              className="input"
              name="startsAt"
              type="datetime-local"
              value={values.startsAt}
              onChange={(e) => set({ startsAt: e.target.value })}
            />
          )}
        </Field>
        <Field id="event-timezone" label="Time zone" error={errors.timezone}>
          {(control) => (
            <select
              {...control}
              className="select"
              name="timezone"
              value={values.timezone}
              onChange={(e) => set({ timezone: e.target.value })}
            >
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zoneLabel(zone)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div className="row">
        <SubmitButton busy={busy} busyLabel="Saving the event…" className="btn btn-primary">
          Save event
        </SubmitButton>
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
          Back to search
        </button>
      </div>
    </form>
  );
}
