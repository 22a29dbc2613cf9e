import {
  stripeMaxAmount,
  ticketStatusSchema,
  type EventDetails,
  type TicketUpdatedData,
} from '@glotixz/common/events';
import { pageCursorSchema, pageLimitSchema, pageSchema } from '@glotixz/common/express';
import { z } from 'zod';
import { eventFilterQuery, listingEventSchema } from '../catalog/events.schemas';
import type { EventRow, TicketRow } from '../db/schema';
import { currencyInputSchema } from './currency';
import { listingCursorSchema } from './listing-cursor';

/**
 * Largest price a ticket may have, in minor units: the most Stripe charges at once (999,999.99 in
 * a two-decimal currency). The smallest depends on the currency, checked by the service.
 */
export const MAX_PRICE = stripeMaxAmount;

const seatPart = (label: string, example: string) =>
  z
    .string()
    .trim()
    .min(1, `${label} must not be empty`)
    .max(20, `${label} must be at most 20 characters`)
    .meta({ example });

const sectionSchema = seatPart('Section', '112');
const rowSchema = seatPart('Row', 'F');
const seatSchema = seatPart('Seat', '7');
const noteSchema = z
  .string()
  .trim()
  .max(280, 'Note must be at most 280 characters')
  .meta({ example: 'Aisle seat, great view of the stage' });

const priceSchema = z
  .number()
  .int('Price must be a whole number of minor units (cents)')
  .positive('Price must be greater than 0')
  .max(MAX_PRICE, `Price must be at most ${MAX_PRICE} minor units`)
  .meta({
    example: 12_500,
    description:
      "Integer minor units of the currency (cents for usd), within Stripe's limits for it: at least its minimum charge (e.g. 50 for usd, 30 for gbp, 50 for jpy), at most 99,999,999",
  });

/** `POST /api/tickets` body. The title is derived from the event and the seat. */
export const createTicketBodySchema = z
  .object({
    eventId: z.uuid('Event id must be a UUID'),
    section: sectionSchema.optional(),
    row: rowSchema.optional(),
    seat: seatSchema.optional(),
    price: priceSchema,
    currency: currencyInputSchema.optional(),
    note: noteSchema.optional(),
  })
  .strict()
  .meta({ id: 'CreateTicket' });

/** `PUT /api/tickets/:id` body: the fields to change, at least one; null clears a seat part or the note. */
export const updateTicketBodySchema = z
  .object({
    price: priceSchema.optional(),
    currency: currencyInputSchema.optional(),
    section: sectionSchema.nullable().optional(),
    row: rowSchema.nullable().optional(),
    seat: seatSchema.nullable().optional(),
    note: noteSchema.nullable().optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'Send at least one of price, currency, section, row, seat, note',
  })
  .meta({ id: 'UpdateTicket' });

/** `:id` of a ticket route. */
export const ticketParamsSchema = z.object({
  id: z.uuid('Ticket id must be a UUID').meta({ example: '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60' }),
});

/** How `GET /api/tickets` orders listings. */
export const listingSortSchema = z.enum(['date', 'price']).default('date').meta({
  description: 'date: event start, then price, then id (default); price: price, then event start, then id',
});

/** A listing sort. */
export type ListingSort = z.infer<typeof listingSortSchema>;

const minorUnitsQuery = (description: string) =>
  z
    .preprocess(
      (value) => (typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value),
      z
        .number({ error: 'Must be a whole number of minor units' })
        .int('Must be a whole number of minor units')
        .min(0, 'Must be a whole number of minor units')
        .max(MAX_PRICE, `Must be at most ${MAX_PRICE}`),
    )
    .optional()
    .meta({ description, example: 5_000 });

/** `GET /api/tickets` query: available listings of upcoming events. */
export const listTicketsQuerySchema = z
  .object({
    eventId: z.uuid('Event id must be a UUID').optional(),
    ...eventFilterQuery,
    minPrice: minorUnitsQuery('Listings priced at least this, in minor units'),
    maxPrice: minorUnitsQuery('Listings priced at most this, in minor units'),
    sort: listingSortSchema,
    limit: pageLimitSchema({ max: 100, default: 20 }),
    cursor: listingCursorSchema.optional(),
  })
  .superRefine((query, ctx) => {
    if (query.cursor && query.cursor.sort !== query.sort) {
      ctx.addIssue({
        code: 'custom',
        path: ['cursor'],
        message: 'Cursor belongs to another sort; pass a nextCursor from a page of this one',
      });
    }
  });

/** `GET /api/tickets/mine` query. */
export const listMyTicketsQuerySchema = z.object({
  limit: pageLimitSchema({ max: 100, default: 20 }),
  cursor: pageCursorSchema.optional(),
});

const statusSchema = ticketStatusSchema.meta({
  description:
    'available: on sale; reserved: an order holds it awaiting payment; sold: that order was paid (final); unlisted: its seller took it down; closed: its event has started',
});

/** A ticket (a listing) as the API shows it. */
export const ticketSchema = z
  .object({
    id: z.uuid(),
    title: z.string().meta({
      description: 'Derived: the event name, then " · Section S, Row R, Seat N" for the parts given',
      example: 'Taylor Swift | The Eras Tour · Section 112, Row F, Seat 7',
    }),
    price: z.number().int(),
    currency: z.string().meta({ example: 'usd' }),
    userId: z.uuid().meta({ description: 'The seller' }),
    orderId: z.uuid().nullable().meta({
      description: 'The order holding (or, when sold, that bought) the ticket; null otherwise',
    }),
    status: statusSchema,
    eventId: z.uuid(),
    event: listingEventSchema,
    section: z.string().nullable(),
    row: z.string().nullable(),
    seat: z.string().nullable(),
    note: z.string().nullable(),
    heldTerms: z
      .object({
        title: z.string(),
        price: z.number().int(),
        currency: z.string().meta({ example: 'usd' }),
      })
      .nullable()
      .meta({
        description:
          "The terms of the order holding the ticket (reserved or sold), fixed when it was placed; null otherwise. The ticket's own title, price and currency are what it is listed at when on sale again",
      }),
    version: z.number().int().meta({ description: '0 on creation, +1 per change' }),
  })
  .meta({ id: 'Ticket' });

/** A ticket as the API shows it. */
export type Ticket = z.infer<typeof ticketSchema>;

/** A page of tickets. */
export const ticketPageSchema = pageSchema(ticketSchema, 'TicketPage');

/** A page of tickets. */
export type TicketPage = z.infer<typeof ticketPageSchema>;

/** A stored ticket with the event it is for, as every read answers it. */
export type ListingRow = TicketRow & { event: Ticket['event'] };

/** The seat parts of a listing. */
export type SeatParts = Pick<TicketRow, 'section' | 'row' | 'seat'>;

/** The derived title: "<event name>" plus " · Section S, Row R, Seat N" for the parts given. */
export function listingTitle(eventName: string, seat: SeatParts): string {
  const parts = [
    seat.section === null ? null : `Section ${seat.section}`,
    seat.row === null ? null : `Row ${seat.row}`,
    seat.seat === null ? null : `Seat ${seat.seat}`,
  ].filter((part) => part !== null);
  return parts.length === 0 ? eventName : `${eventName} · ${parts.join(', ')}`;
}

/** The API shape of a stored ticket. */
export function toTicket(row: ListingRow): Ticket {
  return {
    id: row.id,
    title: row.title,
    price: row.price,
    currency: row.currency,
    userId: row.userId,
    orderId: row.orderId,
    version: row.version,
    status: row.status,
    eventId: row.eventId,
    event: row.event,
    section: row.section,
    row: row.row,
    seat: row.seat,
    note: row.note,
    heldTerms: heldTerms(row),
  };
}

/** The terms the holding order reserved the ticket at (I8); null while no order holds it. */
function heldTerms(row: TicketRow): Ticket['heldTerms'] {
  if (row.orderId === null || row.heldTitle === null || row.heldPrice === null || row.heldCurrency === null) {
    return null;
  }
  return { title: row.heldTitle, price: row.heldPrice, currency: row.heldCurrency };
}

/** The columns of an event that ticket events carry. */
export type EventDetailsRow = Pick<
  EventRow,
  'id' | 'name' | 'venue' | 'city' | 'country' | 'timezone' | 'startsAt'
>;

/** The event details a ticket event carries, for the services that show or print the ticket. */
export function toEventDetails(event: EventDetailsRow): EventDetails {
  return {
    id: event.id,
    name: event.name,
    venue: event.venue,
    city: event.city,
    country: event.country,
    timezone: event.timezone,
    startsAt: event.startsAt.toISOString(),
  };
}

/**
 * The `data` of a `ticket.created` / `ticket.updated` event for a stored ticket and its event
 * (orders replicates it, and prints the event and the seat on the e-ticket).
 */
export function toTicketEventData(row: TicketRow, event: EventDetailsRow): TicketUpdatedData {
  return {
    id: row.id,
    title: row.title,
    price: row.price,
    currency: row.currency,
    userId: row.userId,
    orderId: row.orderId,
    eventId: row.eventId,
    startsAt: row.startsAt.toISOString(),
    status: row.status,
    event: toEventDetails(event),
    seat: { section: row.section, row: row.row, seat: row.seat },
    version: row.version,
  };
}
