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
export const orderStatuses = ['awaiting_payment', 'cancelled', 'complete'] as const;

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
