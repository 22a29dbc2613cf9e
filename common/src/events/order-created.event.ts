import { z } from 'zod';
import {
  aggregateVersionSchema,
  currencySchema,
  idSchema,
  isoUtcSchema,
  minorUnitsSchema,
  orderStatusSchema,
} from './primitives';

/**
 * Fires when a buyer reserves a ticket by placing an order. Published by orders; consumed by
 * tickets (marks the ticket reserved and records the terms it is held at), expiration (schedules
 * the expiry job for `expiresAt`) and payments (copies the order into its replica and charges
 * `ticket.total`, or `ticket.price` on older events, in `ticket.currency`; the seller's payout is
 * `ticket.price`, sent to `sellerId` after `event.startsAt`).
 *
 * `ticket` carries the order's own terms, copied from the ticket by the statement that placed the
 * order (I8): a seller's later edit of the ticket never changes them.
 */
export const orderCreatedSubject = 'order.created';

/** The `data` of an `order.created` event. */
export const orderCreatedSchema = z.object({
  id: idSchema,
  status: orderStatusSchema,
  userId: idSchema,
  expiresAt: isoUtcSchema,
  version: aggregateVersionSchema,
  ticket: z.object({
    id: idSchema,
    /** Absent only from events published before orders carried it; tickets then keeps its own. */
    title: z.string().min(1).optional(),
    /** What the seller receives. */
    price: minorUnitsSchema,
    currency: currencySchema,
    /** The platform fee the buyer pays on top of the price. Absent from older events: 0. */
    fee: minorUnitsSchema.optional(),
    /** What the buyer is charged: price + fee. Absent from older events: the price. */
    total: minorUnitsSchema.optional(),
  }),
  /** The seller (the ticket's owner when the order was placed). Absent from older events. */
  sellerId: idSchema.optional(),
  /**
   * The ticket's event, for the seller's payout after it starts. Absent from older events and for
   * tickets listed before listings belonged to events.
   */
  event: z.object({ id: idSchema, startsAt: isoUtcSchema }).optional(),
});

/** The `data` of an `order.created` event. */
export type OrderCreatedData = z.infer<typeof orderCreatedSchema>;
