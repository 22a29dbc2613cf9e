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
 * `ticket.price` in `ticket.currency`).
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
    price: minorUnitsSchema,
    currency: currencySchema,
    /** The platform fee in minor units; absent on events published before fees (fee 0). */
    fee: minorUnitsSchema.optional(),
    /** What the buyer pays (price + fee); absent on events published before fees (total = price). */
    total: minorUnitsSchema.optional(),
  }),
  /** The seller (the ticket's userId); absent on events published before payouts. */
  sellerId: idSchema.optional(),
  /** The ticket's event, for the payout's hold; absent on events published before payouts. */
  event: z.object({ id: idSchema, startsAt: isoUtcSchema }).optional(),
});

/** The `data` of an `order.created` event. */
export type OrderCreatedData = z.infer<typeof orderCreatedSchema>;
