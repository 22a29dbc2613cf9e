import type { PageCursor } from '@glotixz/common/express';
import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { TicketsDb, TicketsTx } from '../db/db';
import { cancelledOrders, completedOrders, tickets, type TicketRow } from '../db/schema';

/** Fields a seller may change. */
export interface TicketChanges {
  title?: string;
  price?: number;
  currency?: string;
}

/** The terms an order holds a ticket at: its title, price and currency when it was placed. */
export interface HeldTerms {
  title: string;
  price: number;
  currency: string;
}

/** What {@link TicketsRepo.listAvailable} reads. */
export interface AvailableQuery {
  limit: number;
  after?: PageCursor;
  search?: string;
}

const bumpVersion = () => ({ version: sql`${tickets.version} + 1`, updatedAt: sql`now()` });

/** What {@link TicketsRepo.listBySeller} reads. */
export interface SellerQuery {
  userId: string;
  limit: number;
  after?: PageCursor;
}

/** Rows after `after` in the listings' order: newest first, then id descending. */
function afterCursor(after: PageCursor): SQL {
  return sql`(${tickets.createdAt}, ${tickets.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`;
}

/** A LIKE pattern matching `text` anywhere, with its own `%`, `_` and `\` taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** Data access for tickets, on the database or inside a transaction. */
export function ticketsRepo(db: TicketsDb | TicketsTx) {
  return {
    async insert(values: Pick<TicketRow, 'title' | 'price' | 'currency' | 'userId'>): Promise<TicketRow> {
      const [row] = await db.insert(tickets).values(values).returning();
      if (!row) throw new Error('insert into tickets returned no row');
      return row;
    },

    async findById(id: string): Promise<TicketRow | null> {
      const [row] = await db.select().from(tickets).where(eq(tickets.id, id)).limit(1);
      return row ?? null;
    },

    /** Available tickets, newest first, after `after` in that order (keyset pagination). */
    async listAvailable({ limit, after, search }: AvailableQuery): Promise<TicketRow[]> {
      const conditions: SQL[] = [isNull(tickets.orderId)];
      if (after) conditions.push(afterCursor(after));
      if (search) {
        conditions.push(sql`lower(${tickets.title}) like lower(${containsPattern(search)}) escape '\\'`);
      }
      return db
        .select()
        .from(tickets)
        .where(and(...conditions))
        .orderBy(desc(tickets.createdAt), desc(tickets.id))
        .limit(limit);
    },

    /** A seller's tickets, available or held, newest first, after `after` (keyset pagination). */
    async listBySeller({ userId, limit, after }: SellerQuery): Promise<TicketRow[]> {
      const conditions: SQL[] = [eq(tickets.userId, userId)];
      if (after) conditions.push(afterCursor(after));
      return db
        .select()
        .from(tickets)
        .where(and(...conditions))
        .orderBy(desc(tickets.createdAt), desc(tickets.id))
        .limit(limit);
    },

    /**
     * Applies a seller's changes only if `userId` owns the ticket and no order holds it, in one
     * statement, so a reservation landing at the same moment is never overwritten. `null` when the
     * conditions did not hold.
     */
    async updateIfEditable(id: string, userId: string, changes: TicketChanges): Promise<TicketRow | null> {
      const [row] = await db
        .update(tickets)
        .set({ ...changes, ...bumpVersion() })
        .where(and(eq(tickets.id, id), eq(tickets.userId, userId), isNull(tickets.orderId)))
        .returning();
      return row ?? null;
    },

    /** Reads a ticket and locks it until the transaction ends, so changes to it run one at a time. */
    async lockById(id: string): Promise<TicketRow | null> {
      const [row] = await db.select().from(tickets).where(eq(tickets.id, id)).for('update');
      return row ?? null;
    },

    /**
     * Makes `orderId` hold the ticket at `terms` (the order's, I8) as a new version; `sold` also
     * marks it sold to that order.
     */
    async setHolder(
      id: string,
      orderId: string,
      terms: HeldTerms,
      { sold = false } = {},
    ): Promise<TicketRow> {
      const [row] = await db
        .update(tickets)
        .set({
          orderId,
          heldTitle: terms.title,
          heldPrice: terms.price,
          heldCurrency: terms.currency,
          ...(sold ? { soldAt: sql`now()` } : {}),
          ...bumpVersion(),
        })
        .where(eq(tickets.id, id))
        .returning();
      if (!row) throw new Error(`ticket ${id} vanished inside its own transaction`);
      return row;
    },

    /**
     * Frees the ticket as a new version: it is on sale again at its own terms, which carry any edit
     * the seller made before the reservation arrived.
     */
    async release(id: string): Promise<TicketRow> {
      const [row] = await db
        .update(tickets)
        .set({ orderId: null, heldTitle: null, heldPrice: null, heldCurrency: null, ...bumpVersion() })
        .where(eq(tickets.id, id))
        .returning();
      if (!row) throw new Error(`ticket ${id} vanished inside its own transaction`);
      return row;
    },

    /** Marks the ticket sold to the order holding it, as a new version. */
    async markSold(id: string): Promise<TicketRow> {
      const [row] = await db
        .update(tickets)
        .set({ soldAt: sql`now()`, ...bumpVersion() })
        .where(eq(tickets.id, id))
        .returning();
      if (!row) throw new Error(`ticket ${id} vanished inside its own transaction`);
      return row;
    },

    /** Remembers that `orderId` was completed (paid); repeating it changes nothing. */
    async recordCompletedOrder(orderId: string, ticketId: string): Promise<void> {
      await db.insert(completedOrders).values({ orderId, ticketId }).onConflictDoNothing();
    },

    async isOrderCompleted(orderId: string): Promise<boolean> {
      const rows = await db
        .select({ orderId: completedOrders.orderId })
        .from(completedOrders)
        .where(eq(completedOrders.orderId, orderId))
        .limit(1);
      return rows.length > 0;
    },

    /** Remembers that `orderId` was cancelled; repeating it changes nothing. */
    async recordCancelledOrder(orderId: string, ticketId: string): Promise<void> {
      await db.insert(cancelledOrders).values({ orderId, ticketId }).onConflictDoNothing();
    },

    async isOrderCancelled(orderId: string): Promise<boolean> {
      const rows = await db
        .select({ orderId: cancelledOrders.orderId })
        .from(cancelledOrders)
        .where(eq(cancelledOrders.orderId, orderId))
        .limit(1);
      return rows.length > 0;
    },
  };
}

/** Data access for tickets. */
export type TicketsRepo = ReturnType<typeof ticketsRepo>;
