import { z } from 'zod';
import { eTicketSchema } from './eticket';
import { aggregateVersionSchema, currencySchema, idSchema, minorUnitsSchema } from './primitives';

/**
 * Fires when an order is paid (orders reacting to `payment.succeeded`). Published by orders;
 * consumed by payments, which marks its replica complete, tickets, which marks the ticket sold, and
 * notifications, which mails the buyer a receipt with the e-ticket and tells the seller.
 */
export const orderCompletedSubject = 'order.completed';

/** The `data` of an `order.completed` event. */
export const orderCompletedSchema = z.object({
  id: idSchema,
  version: aggregateVersionSchema,
  ticket: z.object({
    id: idSchema,
    /** The order's terms (I8). Absent from events published before orders carried them. */
    title: z.string().min(1).optional(),
    price: minorUnitsSchema.optional(),
    currency: currencySchema.optional(),
    /** The platform fee the buyer paid on top of the price. Absent from older events: 0. */
    fee: minorUnitsSchema.optional(),
    /** What the buyer was charged: price + fee. Absent from older events: the price. */
    total: minorUnitsSchema.optional(),
  }),
  /** The buyer. Absent from events published before orders carried it. */
  userId: idSchema.optional(),
  /** The seller (the ticket's owner), told their ticket sold. Absent from older events. */
  sellerId: idSchema.optional(),
  /** The buyer's e-ticket, minted with the completion. Absent from older events. */
  eticket: eTicketSchema.optional(),
});

/** The `data` of an `order.completed` event. */
export type OrderCompletedData = z.infer<typeof orderCompletedSchema>;
