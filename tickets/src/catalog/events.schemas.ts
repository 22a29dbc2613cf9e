import { pageCursorSchema, pageLimitSchema, pageSchema } from '@glotixz/common/express';
import { z } from 'zod';
import { eventCategories } from '../db/schema';

/** Trims and collapses inner whitespace, so "Taylor  Swift " is stored as "Taylor Swift". */
const tidy = (text: string) => text.trim().replace(/\s+/g, ' ');

const textField = (label: string, max: number, example: string) =>
  z
    .string()
    .transform(tidy)
    .pipe(
      z.string().min(1, `${label} must not be empty`).max(max, `${label} must be at most ${max} characters`),
    )
    .meta({ example });

// Made with the first country checked, not at start: ICU's region data is some 5 MB of an idle
// process's memory.
let regionNames: Intl.DisplayNames | undefined;
const regionName = (code: string) =>
  (regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' })).of(code);

/** An ISO 3166-1 alpha-2 code in any case, answered upper case; unassigned codes are refused. */
const countrySchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'Country must be an ISO 3166-1 alpha-2 code')
  .transform((code) => code.toUpperCase())
  .refine((code) => regionName(code) !== code, 'Country must be an ISO 3166-1 alpha-2 code')
  .meta({ example: 'GB', description: 'ISO 3166-1 alpha-2, answered upper case; any case is accepted' });

/** True when `zone` is an IANA time zone name Node knows ("Europe/London", "UTC"). */
function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const timezoneSchema = z
  .string()
  .max(64, 'Time zone must be an IANA time zone name such as Europe/London')
  .refine(isTimeZone, 'Time zone must be an IANA time zone name such as Europe/London')
  .meta({ example: 'Europe/London', description: 'IANA time zone of the venue' });

/** A kind of event. */
export const eventCategorySchema = z.enum(eventCategories).meta({ example: 'concert' });

/** An instant as ISO 8601 with an offset or Z. */
const instantSchema = z.iso
  .datetime({ offset: true, message: 'Must be an ISO 8601 date-time with an offset or Z' })
  .transform((text) => new Date(text));

/** The latest start accepted: what a millisecond timestamp column and a page cursor can hold. */
const latestStart = Date.UTC(9999, 11, 31);

/** `POST /api/events` body. */
export const createEventBodySchema = z
  .object({
    name: textField('Name', 120, 'Taylor Swift | The Eras Tour'),
    venue: textField('Venue', 120, 'Wembley Stadium'),
    city: textField('City', 80, 'London'),
    country: countrySchema,
    startsAt: instantSchema
      .refine((at) => at.getTime() > Date.now(), 'The event must start in the future')
      .refine((at) => at.getTime() < latestStart, 'The event must start before the year 9999')
      .meta({
        example: '2027-06-21T18:30:00+01:00',
        description: 'ISO 8601 with an offset or Z; in the future',
      }),
    timezone: timezoneSchema,
    category: eventCategorySchema,
  })
  .strict()
  .meta({ id: 'CreateEvent' });

/** `:id` of an event route. */
export const eventParamsSchema = z.object({
  id: z.uuid('Event id must be a UUID').meta({ example: '7a0c1d2e-3f40-4b5c-8d6e-7f8091a2b3c4' }),
});

/** A date (`2027-06-21`, UTC) or an instant with an offset; `end` makes a date mean the end of that day. */
export function dateBoundSchema(end: boolean, description: string) {
  return z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], {
      error: 'Must be an ISO 8601 date (2027-06-21) or date-time with an offset or Z',
    })
    .transform((text) => {
      if (text.length > 10) return new Date(text);
      const day = new Date(`${text}T00:00:00.000Z`);
      return end ? new Date(day.getTime() + 86_400_000 - 1) : day;
    })
    .refine((at) => at.getTime() >= 0 && at.getTime() < latestStart, 'Must be between 1970 and 9999')
    .meta({ description, example: end ? '2027-06-30' : '2027-06-01' });
}

/** Text search, as GET /api/events and GET /api/tickets take it. */
export const searchQuerySchema = z
  .string()
  .trim()
  .max(200, 'Search must be at most 200 characters')
  .optional()
  .meta({
    description:
      'Words of the event name, venue or city (full text, case and accents ignored), or a name with typos (trigram similarity)',
    example: 'tayler swift',
  });

/** The filters on events both list routes share. */
export const eventFilterQuery = {
  q: searchQuerySchema,
  city: z
    .string()
    .trim()
    .max(80, 'City must be at most 80 characters')
    .optional()
    .meta({ description: 'City, case and accents ignored', example: 'London' }),
  category: eventCategorySchema.optional(),
  from: dateBoundSchema(false, 'Events starting at or after this date (UTC) or instant').optional(),
  to: dateBoundSchema(
    true,
    'Events starting at or before this instant, or on or before this date (UTC)',
  ).optional(),
};

/** `GET /api/events` query. */
export const listEventsQuerySchema = z.object({
  ...eventFilterQuery,
  limit: pageLimitSchema({ max: 50, default: 20 }),
  cursor: pageCursorSchema.optional(),
});

/** An event as the API shows it, with the figures of its listings on sale. */
export const eventSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    venue: z.string(),
    city: z.string(),
    country: z.string().meta({ example: 'GB' }),
    startsAt: z.iso.datetime().meta({ example: '2027-06-21T17:30:00.000Z' }),
    timezone: z.string().meta({ example: 'Europe/London' }),
    category: eventCategorySchema,
    organizerId: z.uuid().meta({ description: 'The user who created the event' }),
    available: z.number().int().meta({ description: 'How many of its listings are on sale' }),
    lowestPrice: z.number().int().nullable().meta({
      description:
        'The cheapest listing on sale, in minor units of `currency`; null when none is. With several currencies, the one most listings on sale use (ties: alphabetical)',
    }),
    currency: z.string().nullable().meta({ example: 'gbp', description: 'Currency of `lowestPrice`' }),
  })
  .meta({ id: 'Event' });

/** An event as the API shows it. */
export type Event = z.infer<typeof eventSchema>;

/** A page of events. */
export const eventPageSchema = pageSchema(eventSchema, 'EventPage');

/** A page of events. */
export type EventPage = z.infer<typeof eventPageSchema>;

/** The event as a listing carries it. */
export const listingEventSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    venue: z.string(),
    city: z.string(),
    startsAt: z.iso.datetime(),
    timezone: z.string(),
  })
  .meta({ id: 'ListingEvent' });

/** The event as a listing carries it. */
export type ListingEvent = z.infer<typeof listingEventSchema>;
