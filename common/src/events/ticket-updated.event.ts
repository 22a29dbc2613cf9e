import type { z } from 'zod';
import { ticketCreatedSchema } from './ticket-created.event';

/**
 * Fires on every change of a ticket: the seller edits it, takes it down (`unlisted`) or puts it
 * back (`available`); it is reserved (`orderId` set) or freed (`orderId` null) in reaction to
 * `order.created` / `order.cancelled`; it is sold to its order on `order.completed`; or it closes
 * when its event starts (`closed`). Published by tickets; consumed by orders, which applies it to
 * its replica in version order (I3).
 */
export const ticketUpdatedSubject = 'ticket.updated';

/** The `data` of a `ticket.updated` event: the whole ticket after the change. */
export const ticketUpdatedSchema = ticketCreatedSchema;

/** The `data` of a `ticket.updated` event. */
export type TicketUpdatedData = z.infer<typeof ticketUpdatedSchema>;
