import { z } from 'zod';
import { aggregateVersionSchema, currencySchema, idSchema, minorUnitsSchema } from './primitives';

/**
 * Fires when a seller lists a new ticket. Published by tickets; consumed by orders, which
 * inserts the ticket into its local replica.
 */
export const ticketCreatedSubject = 'ticket.created';

/** The `data` of a `ticket.created` event: the ticket as it was created. */
export const ticketCreatedSchema = z.object({
  id: idSchema,
  title: z.string().min(1),
  price: minorUnitsSchema,
  currency: currencySchema,
  userId: idSchema,
  orderId: idSchema.nullable(),
  version: aggregateVersionSchema,
});

/** The `data` of a `ticket.created` event. */
export type TicketCreatedData = z.infer<typeof ticketCreatedSchema>;
