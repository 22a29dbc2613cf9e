import type { z } from 'zod';
import { ticketCreatedSchema } from './ticket-created.event';

/**
 * Fires on every change of a ticket: the seller edits it, it is reserved (`orderId` set) or
 * freed (`orderId` null) in reaction to `order.created` / `order.cancelled`, or sold to its order
 * on `order.completed` (only `version` moves: being sold is internal to tickets). Published by
 * tickets; consumed by orders, which applies it to its replica in version order (I3).
 */
export const ticketUpdatedSubject = 'ticket.updated';

/** The `data` of a `ticket.updated` event: the whole ticket after the change. */
export const ticketUpdatedSchema = ticketCreatedSchema;

/** The `data` of a `ticket.updated` event. */
export type TicketUpdatedData = z.infer<typeof ticketUpdatedSchema>;
