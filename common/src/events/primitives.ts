import { z } from 'zod';

/** An entity id: a UUID. */
export const idSchema = z.uuid();

/** An amount of money as an integer in minor units (cents for `usd`). */
export const minorUnitsSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A lowercase ISO 4217 currency code, as Stripe writes it (`usd`, `eur`). */
export const currencySchema = z.string().regex(/^[a-z]{3}$/, 'expected a lowercase ISO 4217 code');

/** The version of an aggregate: starts at 0 and grows by 1 per change (invariant I3). */
export const aggregateVersionSchema = z.number().int().nonnegative();

/** An ISO 8601 timestamp in UTC (`2025-01-01T12:00:00.000Z`). */
export const isoUtcSchema = z.iso.datetime();

/** The statuses of an order, as orders stores and publishes them and its replicas keep them. */
export const orderStatuses = ['awaiting_payment', 'cancelled', 'complete', 'refunded'] as const;

/** The lifecycle of an order. */
export const orderStatusSchema = z.enum(orderStatuses);

/** The lifecycle of an order. */
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/**
 * The statuses of a listing (a ticket), as tickets stores and publishes them: `available` (on
 * sale), `reserved` (an order holds it), `sold` (that order was paid), `unlisted` (its seller took
 * it down) and `closed` (its event has started). Only an `available` listing can be ordered.
 */
export const ticketStatuses = ['available', 'reserved', 'sold', 'unlisted', 'closed'] as const;

/** The lifecycle of a listing. */
export const ticketStatusSchema = z.enum(ticketStatuses);

/** The lifecycle of a listing. */
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

/** Where and when an event takes place, as ticket events and e-tickets carry it. */
export const eventDetailsSchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  venue: z.string().min(1),
  city: z.string().min(1),
  /** ISO 3166-1 alpha-2, e.g. `GB`. */
  country: z.string().min(1),
  /** IANA time zone of the venue, e.g. `Europe/London`: local times are shown in it. */
  timezone: z.string().min(1),
  startsAt: isoUtcSchema,
});

/** Where and when an event takes place. */
export type EventDetails = z.infer<typeof eventDetailsSchema>;

/** A ticket's place in the venue; each part is null when the listing does not name it (standing, general admission). */
export const seatSchema = z.object({
  section: z.string().nullable(),
  row: z.string().nullable(),
  seat: z.string().nullable(),
});

/** A ticket's place in the venue. */
export type Seat = z.infer<typeof seatSchema>;
