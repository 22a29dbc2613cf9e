import type { PageCursor } from '@glotixz/common/express';
import { and, asc, desc, eq, getTableColumns, gte, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { eventFilterConditions, type EventFilter } from '../catalog/events.repo';
import type { TicketsDb, TicketsTx } from '../db/db';
import {
  cancelledOrders,
  completedOrders,
  events,
  tickets,
  type EventRow,
  type TicketRow,
} from '../db/schema';
import type { ListingCursor } from './listing-cursor';
import type { ListingRow, ListingSort } from './tickets.schemas';

/** Fields a seller may change, with the title they derive. */
export interface TicketChanges {
  title?: string;
  price?: number;
  currency?: string;
  section?: string | null;
  row?: string | null;
  seat?: string | null;
  note?: string | null;
}

/** The terms an order holds a ticket at: its title, price and currency when it was placed. */
export interface HeldTerms {
  title: string;
  price: number;
  currency: string;
}

/** What {@link TicketsRepo.listAvailable} reads. */
export interface AvailableQuery extends EventFilter {
  limit: number;
  sort: ListingSort;
  after?: ListingCursor | undefined;
  eventId?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
}

/** What {@link TicketsRepo.listBySeller} reads. */
export interface SellerQuery {
  userId: string;
  limit: number;
  after?: PageCursor | undefined;
}

const bumpVersion = () => ({ version: sql`${tickets.version} + 1`, updatedAt: sql`now()` });

/** The event as a listing carries it. */
const listingEvent = {
  id: events.id,
  name: events.name,
  venue: events.venue,
  city: events.city,
  startsAt: events.startsAt,
  timezone: events.timezone,
};

type JoinedRow = { ticket: TicketRow; event: { [K in keyof typeof listingEvent]: EventRow[K] } };

function toListingRow({ ticket, event }: JoinedRow): ListingRow {
  return { ...ticket, event: { ...event, startsAt: event.startsAt.toISOString() } };
}

/** The keyset order of each sort, and the condition for rows after a cursor in it. */
const sortKeys = {
  date: (after?: ListingCursor) => ({
    order: [asc(tickets.startsAt), asc(tickets.price), asc(tickets.id)],
    after: after
      ? sql`(${tickets.startsAt}, ${tickets.price}, ${tickets.id}) > (${after.startsAt.toISOString()}::timestamptz, ${after.price}, ${after.id}::uuid)`
      : undefined,
  }),
  price: (after?: ListingCursor) => ({
    order: [asc(tickets.price), asc(tickets.startsAt), asc(tickets.id)],
    after: after
      ? sql`(${tickets.price}, ${tickets.startsAt}, ${tickets.id}) > (${after.price}, ${after.startsAt.toISOString()}::timestamptz, ${after.id}::uuid)`
      : undefined,
  }),
} satisfies Record<ListingSort, unknown>;

/** Data access for tickets, on the database or inside a transaction. */
export function ticketsRepo(db: TicketsDb | TicketsTx) {
  const joined = () =>
    db
      .select({ ticket: getTableColumns(tickets), event: listingEvent })
      .from(tickets)
      .innerJoin(events, eq(events.id, tickets.eventId));

  return {
    async insert(
      values: Pick<TicketRow, 'eventId' | 'startsAt' | 'title' | 'price' | 'currency' | 'userId'> &
        Partial<Pick<TicketRow, 'section' | 'row' | 'seat' | 'note'>>,
    ): Promise<TicketRow> {
      const [row] = await db.insert(tickets).values(values).returning();
      if (!row) throw new Error('insert into tickets returned no row');
      return row;
    },

    async findById(id: string): Promise<TicketRow | null> {
      const [row] = await db.select().from(tickets).where(eq(tickets.id, id)).limit(1);
      return row ?? null;
    },

    /** A ticket with its event. */
    async findListing(id: string): Promise<ListingRow | null> {
      const [row] = await joined().where(eq(tickets.id, id)).limit(1);
      return row ? toListingRow(row) : null;
    },

    /** The event a listing is for (name and start), or null. */
    async findEvent(eventId: string): Promise<Pick<EventRow, 'id' | 'name' | 'startsAt'> | null> {
      const [row] = await db
        .select({ id: events.id, name: events.name, startsAt: events.startsAt })
        .from(events)
        .where(eq(events.id, eventId))
        .limit(1);
      return row ?? null;
    },

    /** Available listings of upcoming events matching `query`, in the sort's keyset order. */
    async listAvailable(query: AvailableQuery): Promise<ListingRow[]> {
      const keys = sortKeys[query.sort](query.after);
      const conditions: (SQL | undefined)[] = [
        eq(tickets.status, 'available'),
        sql`${tickets.startsAt} > now()`,
        query.eventId === undefined ? undefined : eq(tickets.eventId, query.eventId),
        query.minPrice === undefined ? undefined : gte(tickets.price, query.minPrice),
        query.maxPrice === undefined ? undefined : lte(tickets.price, query.maxPrice),
        keys.after,
        ...eventFilterConditions(sql`${events}`, query),
      ];
      const rows = await joined()
        .where(and(...conditions))
        .orderBy(...keys.order)
        .limit(query.limit);
      return rows.map(toListingRow);
    },

    /** A seller's tickets in every status, newest first, after `after` (keyset pagination). */
    async listBySeller({ userId, limit, after }: SellerQuery): Promise<ListingRow[]> {
      const conditions: SQL[] = [eq(tickets.userId, userId)];
      if (after) {
        conditions.push(
          sql`(${tickets.createdAt}, ${tickets.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`,
        );
      }
      const rows = await joined()
        .where(and(...conditions))
        .orderBy(desc(tickets.createdAt), desc(tickets.id))
        .limit(limit);
      return rows.map(toListingRow);
    },

    /** Applies a seller's changes to a ticket the caller has locked, as a new version. */
    async applyChanges(id: string, changes: TicketChanges): Promise<TicketRow> {
      const [row] = await db
        .update(tickets)
        .set({ ...changes, ...bumpVersion() })
        .where(eq(tickets.id, id))
        .returning();
      if (!row) throw new Error(`ticket ${id} vanished inside its own transaction`);
      return row;
    },

    /** Sets the status of a ticket the caller has locked and no order holds, as a new version. */
    async setStatus(id: string, status: 'available' | 'unlisted'): Promise<TicketRow> {
      const [row] = await db
        .update(tickets)
        .set({ status, ...bumpVersion() })
        .where(and(eq(tickets.id, id), isNull(tickets.orderId)))
        .returning();
      if (!row) throw new Error(`ticket ${id} is held by an order inside its own transaction`);
      return row;
    },

    /**
     * Closes up to `batchSize` available listings whose event has started, claimed with
     * `FOR UPDATE SKIP LOCKED` so replicas share the work and a listing being reserved right now
     * is left to its reservation (and closed by a later pass if that changes nothing), each as a
     * new version.
     */
    async closeStarted(batchSize: number): Promise<TicketRow[]> {
      const due = db
        .select({ id: tickets.id })
        .from(tickets)
        .where(and(eq(tickets.status, 'available'), sql`${tickets.startsAt} <= now()`))
        .orderBy(asc(tickets.startsAt))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      return db
        .update(tickets)
        .set({ status: 'closed', ...bumpVersion() })
        .where(inArray(tickets.id, due))
        .returning();
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
          status: sold ? 'sold' : 'reserved',
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
     * the seller made before the reservation arrived, or closed if its event has started.
     */
    async release(id: string): Promise<TicketRow> {
      const [row] = await db
        .update(tickets)
        .set({
          orderId: null,
          status: sql`case when ${tickets.startsAt} <= now() then 'closed' else 'available' end`,
          heldTitle: null,
          heldPrice: null,
          heldCurrency: null,
          ...bumpVersion(),
        })
        .where(eq(tickets.id, id))
        .returning();
      if (!row) throw new Error(`ticket ${id} vanished inside its own transaction`);
      return row;
    },

    /** Marks the ticket sold to the order holding it, as a new version. */
    async markSold(id: string): Promise<TicketRow> {
      const [row] = await db
        .update(tickets)
        .set({ status: 'sold', soldAt: sql`now()`, ...bumpVersion() })
        .where(eq(tickets.id, id))
        .returning();
      if (!row) throw new Error(`ticket ${id} vanished inside its own transaction`);
      return row;
    },

    /** Remembers that `orderId` was completed (paid); repeating it changes nothing. */
    async recordCompletedOrder(orderId: string, ticketId: string): Promise<void> {
      await db.insert(completedOrders).values({ orderId, ticketId }).onConflictDoNothing();
    },

    /** Remembers that `orderId` was cancelled; repeating it changes nothing. */
    async recordCancelledOrder(orderId: string, ticketId: string): Promise<void> {
      await db.insert(cancelledOrders).values({ orderId, ticketId }).onConflictDoNothing();
    },

    /**
     * What became of `orderId` before its creation was applied here: cancelled (its
     * `order.cancelled` came first), completed (its `order.completed` came first), in one
     * statement. Read after the ticket's lock, so it sees what a transaction that held the lock
     * committed.
     */
    async orderFate(orderId: string): Promise<{ cancelled: boolean; completed: boolean }> {
      const { rows } = await db.execute<{ cancelled: boolean; completed: boolean }>(sql`
        select exists (select 1 from ${cancelledOrders} where ${cancelledOrders.orderId} = ${orderId}) as cancelled,
               exists (select 1 from ${completedOrders} where ${completedOrders.orderId} = ${orderId}) as completed`);
      const [fate] = rows;
      return { cancelled: fate?.cancelled === true, completed: fate?.completed === true };
    },
  };
}

/** Data access for tickets. */
export type TicketsRepo = ReturnType<typeof ticketsRepo>;
