import { z } from 'zod';
import { eventDetailsSchema, idSchema, isoUtcSchema, seatSchema } from './primitives';

/**
 * An e-ticket: what admits its holder at the door, minted by orders in the transaction that
 * completes the order. `code` is an ES256 compact JWS (header `typ: eticket+jwt`, `kid`; claims
 * `{ tid, oid, eid, sub, iat }`) that tickets verifies at check-in; the rest is what a buyer reads
 * on the printed ticket. `GET /api/orders/:id/eticket` answers it and `order.completed` carries it.
 */
export const eTicketSchema = z.object({
  code: z.string().min(1),
  issuedAt: isoUtcSchema,
  order: z.object({ id: idSchema }),
  ticket: z.object({ id: idSchema, title: z.string().min(1) }),
  /** Null only for tickets listed before listings belonged to events. */
  event: eventDetailsSchema.nullable(),
  seat: seatSchema,
  holder: z.object({
    id: idSchema,
    /** Null only for orders placed before orders recorded the buyer's email. */
    email: z.email().nullable(),
  }),
});

/** An e-ticket. */
export type ETicket = z.infer<typeof eTicketSchema>;
