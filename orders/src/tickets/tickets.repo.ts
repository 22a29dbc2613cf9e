import type { TicketCreatedData, TicketUpdatedData } from '@glotixz/common/events';
import { and, eq } from 'drizzle-orm';
import type { OrdersExecutor } from '../db/db';
import { tickets, type TicketRow } from '../db/schema';

/** What applying a `ticket.updated` did to the replica. */
export type ReplicaUpdateOutcome =
  /** The update was the next version and is now applied. */
  | 'applied'
  /** The replica already holds this version or a later one. */
  | 'already-seen'
  /** The ticket or its previous version has not arrived yet. */
  | 'predecessor-missing';

/** Data access for the local ticket replica. */
export const ticketsRepo = {
  async findById(db: OrdersExecutor, id: string): Promise<TicketRow | null> {
    const [row] = await db.select().from(tickets).where(eq(tickets.id, id)).limit(1);
    return row ?? null;
  },

  /**
   * The version of the ticket the replica holds, locked until the transaction ends, or `null` when
   * it has none: what a `ticket.updated` is ordered against (I3).
   */
  async lockVersion(db: OrdersExecutor, id: string): Promise<number | null> {
    const [row] = await db
      .select({ version: tickets.version })
      .from(tickets)
      .where(eq(tickets.id, id))
      .limit(1)
      .for('update');
    return row?.version ?? null;
  },

  /** Inserts a newly listed ticket; `false` when the replica has it already (a repeat). */
  async insertCreated(db: OrdersExecutor, data: TicketCreatedData): Promise<boolean> {
    const inserted = await db
      .insert(tickets)
      .values({
        id: data.id,
        title: data.title,
        price: data.price,
        currency: data.currency,
        userId: data.userId,
        orderId: data.orderId,
        version: data.version,
      })
      .onConflictDoNothing({ target: tickets.id })
      .returning({ id: tickets.id });
    return inserted.length > 0;
  },

  /**
   * Applies version `data.version` only on top of `data.version - 1` (I3), in one conditional
   * UPDATE so two deliveries can never both apply.
   */
  async applyUpdate(db: OrdersExecutor, data: TicketUpdatedData): Promise<ReplicaUpdateOutcome> {
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
    if (updated.length > 0) return 'applied';
    const [current] = await db
      .select({ version: tickets.version })
      .from(tickets)
      .where(eq(tickets.id, data.id))
      .limit(1);
    return current && current.version >= data.version ? 'already-seen' : 'predecessor-missing';
  },
};
