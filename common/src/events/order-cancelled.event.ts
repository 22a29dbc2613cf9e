import { z } from 'zod';
import { aggregateVersionSchema, idSchema } from './primitives';

/**
 * Fires when an order is cancelled: by its buyer, on `expiration.completed`, or by the overdue
 * sweep (I5). Published by orders; consumed by tickets (frees the ticket if that order still holds
 * it) and payments (marks its replica cancelled, so a late payment gets refunded).
 */
export const orderCancelledSubject = 'order.cancelled';

/** The `data` of an `order.cancelled` event. */
export const orderCancelledSchema = z.object({
  id: idSchema,
  version: aggregateVersionSchema,
  ticket: z.object({
    id: idSchema,
    /** The order's title (I8). Absent from events published before orders carried it. */
    title: z.string().min(1).optional(),
  }),
  /** The buyer. Absent from events published before orders carried it. */
  userId: idSchema.optional(),
  /** `expired`: the reservation ran out; `buyer`: the buyer cancelled. Absent from older events. */
  reason: z.enum(['expired', 'buyer']).optional(),
});

/** The `data` of an `order.cancelled` event. */
export type OrderCancelledData = z.infer<typeof orderCancelledSchema>;
