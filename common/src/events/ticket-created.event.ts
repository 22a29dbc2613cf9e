import { z } from 'zod';
import {
  aggregateVersionSchema,
  currencySchema,
  eventDetailsSchema,
  idSchema,
  isoUtcSchema,
  minorUnitsSchema,
  seatSchema,
  ticketStatusSchema,
  type TicketStatus,
} from './primitives';

/**
 * Fires when a seller lists a new ticket. Published by tickets; consumed by orders, which
 * inserts the ticket into its local replica.
 */
export const ticketCreatedSubject = 'ticket.created';

/**
 * The `data` of a `ticket.created` event: the ticket as it was created. `eventId`, `startsAt` and
 * `status` are absent only from events published before listings belonged to events; read the
 * status with {@link ticketStatusOf}.
 */
export const ticketCreatedSchema = z.object({
  id: idSchema,
  /** Derived by tickets from the event and the seat, e.g. `Taylor Swift · Section 112, Row F, Seat 7`. */
  title: z.string().min(1),
  price: minorUnitsSchema,
  currency: currencySchema,
  userId: idSchema,
  orderId: idSchema.nullable(),
  /** The event the ticket is for. */
  eventId: idSchema.optional(),
  /** When that event starts: no order for the ticket is accepted from then on. */
  startsAt: isoUtcSchema.optional(),
  status: ticketStatusSchema.optional(),
  /**
   * The event's details as they are when the ticket changes, for the services that show or print
   * the ticket (orders' e-tickets). Absent from events published before tickets carried them.
   */
  event: eventDetailsSchema.optional(),
  /** The ticket's place in the venue; absent from events published before tickets carried it. */
  seat: seatSchema.optional(),
  version: aggregateVersionSchema,
});

/** The `data` of a `ticket.created` event. */
export type TicketCreatedData = z.infer<typeof ticketCreatedSchema>;

/**
 * The status a ticket event carries; for an event published before tickets had one, what its
 * `orderId` says: `available` when no order holds it, else `reserved`.
 */
export function ticketStatusOf(data: Pick<TicketCreatedData, 'status' | 'orderId'>): TicketStatus {
  return data.status ?? (data.orderId === null ? 'available' : 'reserved');
}
