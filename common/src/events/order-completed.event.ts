import { z } from 'zod';
import { aggregateVersionSchema, idSchema } from './primitives';

/**
 * Fires when an order is paid (orders reacting to `payment.succeeded`). Published by orders;
 * consumed by payments, which marks its replica complete, and tickets, which marks the ticket sold.
 */
export const orderCompletedSubject = 'order.completed';

/** The `data` of an `order.completed` event. */
export const orderCompletedSchema = z.object({
  id: idSchema,
  version: aggregateVersionSchema,
  ticket: z.object({ id: idSchema }),
});

/** The `data` of an `order.completed` event. */
export type OrderCompletedData = z.infer<typeof orderCompletedSchema>;
