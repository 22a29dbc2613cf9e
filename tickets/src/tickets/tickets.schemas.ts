import { stripeMaxAmount, type TicketUpdatedData } from '@glotixz/common/events';
import { pageCursorSchema, pageLimitSchema, pageSchema } from '@glotixz/common/express';
import { z } from 'zod';
import type { TicketRow } from '../db/schema';
import { currencyInputSchema } from './currency';

/**
 * Largest price a ticket may have, in minor units: the most Stripe charges at once (999,999.99 in
 * a two-decimal currency). The smallest depends on the currency, checked by the service.
 */
export const MAX_PRICE = stripeMaxAmount;

const titleSchema = z
  .string()
  .trim()
  .min(1, 'Title must not be empty')
  .max(200, 'Title must be at most 200 characters')
  .meta({ example: 'Taylor Swift, Row 12 Seat 4' });

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

/** `POST /api/tickets` body. */
export const createTicketBodySchema = z
  .object({ title: titleSchema, price: priceSchema, currency: currencyInputSchema.optional() })
  .strict()
  .meta({ id: 'CreateTicket' });

/** `PUT /api/tickets/:id` body: the fields to change, at least one. */
export const updateTicketBodySchema = z
  .object({
    title: titleSchema.optional(),
    price: priceSchema.optional(),
    currency: currencyInputSchema.optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'Send at least one of title, price, currency',
  })
  .meta({ id: 'UpdateTicket' });

/** `:id` of a ticket route. */
export const ticketParamsSchema = z.object({
  id: z.uuid('Ticket id must be a UUID').meta({ example: '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60' }),
});

/** `GET /api/tickets` query. */
export const listTicketsQuerySchema = z.object({
  limit: pageLimitSchema({ max: 100, default: 20 }),
  cursor: pageCursorSchema.optional(),
  q: z
    .string()
    .trim()
    .max(200, 'Search must be at most 200 characters')
    .optional()
    .meta({ description: 'Case-insensitive substring of the title', example: 'swift' }),
});

/** `GET /api/tickets/mine` query: the listing's paging without search. */
export const listMyTicketsQuerySchema = listTicketsQuerySchema.pick({ limit: true, cursor: true });

/** Where a ticket stands: on sale, held by an unpaid order, or bought by a paid one. */
export const ticketStatusSchema = z.enum(['available', 'reserved', 'sold']).meta({
  description:
    'available: no order holds it; reserved: an order holds it awaiting payment; sold: that order was paid (final)',
});

/** Where a ticket stands. */
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

/** A ticket as the API shows it. */
export const ticketSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    price: z.number().int(),
    currency: z.string().meta({ example: 'usd' }),
    userId: z.uuid().meta({ description: 'The seller' }),
    orderId: z.uuid().nullable().meta({
      description: 'The order holding (or, when sold, that bought) the ticket; null when available',
    }),
    status: ticketStatusSchema,
    heldTerms: z
      .object({
        title: z.string(),
        price: z.number().int(),
        currency: z.string().meta({ example: 'usd' }),
      })
      .nullable()
      .meta({
        description:
          "The terms of the order holding the ticket (reserved or sold), fixed when it was placed; null when available. The ticket's own title, price and currency are what it is listed at when on sale again",
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

/** The status of a stored ticket: available without an order, sold once that order was paid. */
export function ticketStatus(row: Pick<TicketRow, 'orderId' | 'soldAt'>): TicketStatus {
  if (row.orderId === null) return 'available';
  return row.soldAt ? 'sold' : 'reserved';
}

/** The API shape of a stored ticket. */
export function toTicket(row: TicketRow): Ticket {
  return { ...toTicketEventData(row), status: ticketStatus(row), heldTerms: heldTerms(row) };
}

/** The terms the holding order reserved the ticket at (I8); null while available. */
function heldTerms(row: TicketRow): Ticket['heldTerms'] {
  if (row.orderId === null || row.heldTitle === null || row.heldPrice === null || row.heldCurrency === null) {
    return null;
  }
  return { title: row.heldTitle, price: row.heldPrice, currency: row.heldCurrency };
}

/**
 * The `data` of a `ticket.created` / `ticket.updated` event for a stored ticket. Orders replicates
 * it; whether the ticket is sold stays inside tickets, so the event shape does not change.
 */
export function toTicketEventData(row: TicketRow): TicketUpdatedData {
  return {
    id: row.id,
    title: row.title,
    price: row.price,
    currency: row.currency,
    userId: row.userId,
    orderId: row.orderId,
    version: row.version,
  };
}
