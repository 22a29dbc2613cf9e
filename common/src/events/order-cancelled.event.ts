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
  ticket: z.object({ id: idSchema }),
});

/** The `data` of an `order.cancelled` event. */
export type OrderCancelledData = z.infer<typeof orderCancelledSchema>;
