import { eTicketSchema, eventDetailsSchema, type ETicket, type EventDetails } from '@glotixz/common/events';
import { eq } from 'drizzle-orm';
import type { OrdersExecutor, OrdersTx } from '../db/db';
import { etickets, type OrderRow, type TicketRow } from '../db/schema';
import type { ETicketSigner } from './eticket-signer';

/**
 * The event as the replica last heard of it; null unless every detail is known and valid (a
 * completion never fails over what the e-ticket prints).
 */
function eventDetails(ticket: TicketRow): EventDetails | null {
  const { eventId, eventName, venue, city, country, timezone, startsAt } = ticket;
  if (
    eventId === null ||
    eventName === null ||
    venue === null ||
    city === null ||
    country === null ||
    timezone === null ||
    startsAt === null
  ) {
    return null;
  }
  const details = eventDetailsSchema.safeParse({
    id: eventId,
    name: eventName,
    venue,
    city,
    country,
    timezone,
    startsAt: startsAt.toISOString(),
  });
  return details.success ? details.data : null;
}

/** Data access for e-tickets. */
export const eticketsRepo = {
  /**
   * Mints the e-ticket of `order`, just completed in `tx`, for the replica's `ticket`, and stores
   * it in the same transaction, so a complete order and its e-ticket exist together or not at all.
   * Its code is signed over the ticket, the order, the event and the buyer, issued when the order
   * completed. A ticket with no event (listed before listings belonged to events) gets none and
   * answers null: the door admits to an event, and a code needs its id.
   */
  async mint(
    tx: OrdersTx,
    signer: ETicketSigner,
    order: OrderRow,
    ticket: TicketRow,
  ): Promise<ETicket | null> {
    if (ticket.eventId === null) return null;
    const issuedAt = order.updatedAt;
    const code = await signer.sign({
      tid: ticket.id,
      oid: order.id,
      eid: ticket.eventId,
      sub: order.userId,
      iat: Math.floor(issuedAt.getTime() / 1000),
    });
    const document = eTicketSchema.parse({
      code,
      issuedAt: issuedAt.toISOString(),
      order: { id: order.id },
      // The order's title (I8): what the buyer paid for.
      ticket: { id: ticket.id, title: order.title },
      event: eventDetails(ticket),
      // The seat the order was placed for, with its title (I8).
      seat: { section: order.section, row: order.row, seat: order.seat },
      holder: { id: order.userId, email: order.buyerEmail },
    } satisfies ETicket);
    await tx.insert(etickets).values({ orderId: order.id, code, issuedAt, document });
    return document;
  },

  /** The stored e-ticket of order `orderId`, checked against the contract; null when it has none. */
  async findByOrder(db: OrdersExecutor, orderId: string): Promise<ETicket | null> {
    const [row] = await db
      .select({ document: etickets.document })
      .from(etickets)
      .where(eq(etickets.orderId, orderId))
      .limit(1);
    return row ? eTicketSchema.parse(row.document) : null;
  },
};
