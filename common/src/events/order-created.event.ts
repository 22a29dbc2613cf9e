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
 * tickets (marks the ticket reserved), expiration (schedules the expiry job for `expiresAt`) and
 * payments (copies the order into its replica).
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
    price: minorUnitsSchema,
    currency: currencySchema,
  }),
});

/** The `data` of an `order.created` event. */
export type OrderCreatedData = z.infer<typeof orderCreatedSchema>;
