import { ticketStatusOf, type TicketCreatedData, type TicketUpdatedData } from '@glotixz/common/events';
import { insertFirst } from '@glotixz/common/db';
import { and, eq } from 'drizzle-orm';
import type { OrdersExecutor } from '../db/db';
import { tickets, type TicketRow } from '../db/schema';

/**
 * The replica's row for the ticket an event carries. An event published before listings had events
 * has no `eventId`, `startsAt` or `status`: no event, and the status its `orderId` implies. One
 * published before tickets carried the event's details and the seat leaves them null.
 */
function replicaRow(data: TicketCreatedData): TicketRow {
  return {
    id: data.id,
    title: data.title,
    price: data.price,
    currency: data.currency,
    userId: data.userId,
    orderId: data.orderId,
    status: ticketStatusOf(data),
    eventId: data.eventId ?? null,
    startsAt: data.startsAt === undefined ? null : new Date(data.startsAt),
    eventName: data.event?.name ?? null,
    venue: data.event?.venue ?? null,
    city: data.event?.city ?? null,
    country: data.event?.country ?? null,
    timezone: data.event?.timezone ?? null,
    section: data.seat?.section ?? null,
    row: data.seat?.row ?? null,
    seat: data.seat?.seat ?? null,
    version: data.version,
  };
}

/** Data access for the local ticket replica. */
export const ticketsRepo = {
  async findById(db: OrdersExecutor, id: string): Promise<TicketRow | null> {
    const [row] = await db.select().from(tickets).where(eq(tickets.id, id)).limit(1);
    return row ?? null;
  },

  /** Inserts a newly listed ticket, as the event carries it; `false` for a repeat. */
  insertCreated(db: OrdersExecutor, data: TicketCreatedData): Promise<boolean> {
    return insertFirst(db, tickets, replicaRow(data));
  },

  /**
   * Applies version `data.version` only on top of `data.version - 1` (I3), in one conditional
   * UPDATE so two deliveries can never both apply.
   */
  async applyUpdate(db: OrdersExecutor, data: TicketUpdatedData): Promise<boolean> {
    const { id, ...changes } = replicaRow(data);
    const updated = await db
      .update(tickets)
      .set(changes)
      .where(and(eq(tickets.id, id), eq(tickets.version, data.version - 1)))
      .returning({ id: tickets.id });
    return updated.length > 0;
  },
};
