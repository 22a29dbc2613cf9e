import type { TicketCreatedData, TicketUpdatedData } from '@glotixz/common/events';
import { insertFirst } from '@glotixz/common/db';
import { and, eq } from 'drizzle-orm';
import type { OrdersExecutor } from '../db/db';
import { tickets, type TicketRow } from '../db/schema';

/** Data access for the local ticket replica. */
export const ticketsRepo = {
  async findById(db: OrdersExecutor, id: string): Promise<TicketRow | null> {
    const [row] = await db.select().from(tickets).where(eq(tickets.id, id)).limit(1);
    return row ?? null;
  },

  /** Inserts a newly listed ticket, as the event carries it; `false` for a repeat. */
  insertCreated(db: OrdersExecutor, data: TicketCreatedData): Promise<boolean> {
    return insertFirst(db, tickets, data);
  },

  /**
   * Applies version `data.version` only on top of `data.version - 1` (I3), in one conditional
   * UPDATE so two deliveries can never both apply.
   */
  async applyUpdate(db: OrdersExecutor, data: TicketUpdatedData): Promise<boolean> {
    const updated = await db
      .update(tickets)
      .set({
        title: data.title,
        price: data.price,
        currency: data.currency,
        userId: data.userId,
        orderId: data.orderId,
        version: data.version,
      })
      .where(and(eq(tickets.id, data.id), eq(tickets.version, data.version - 1)))
      .returning({ id: tickets.id });
    return updated.length > 0;
  },
};
