import { enqueue } from '@glotixz/common/bus';
import { orderCancelledSubject, orderCompletedSubject, orderCreatedSubject } from '@glotixz/common/events';
import type { PageCursor } from '@glotixz/common/express';
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { OrdersDb, OrdersExecutor, OrdersTx } from '../db/db';
import { orders, tickets, type OrderRow, type TicketRow } from '../db/schema';

/** An order with the replica's view of its ticket. */
export interface OrderWithTicket {
  order: OrderRow;
  ticket: Pick<TicketRow, 'id' | 'title' | 'price' | 'currency'>;
}

const orderWithTicket = {
  order: orders,
  ticket: { id: tickets.id, title: tickets.title, price: tickets.price, currency: tickets.currency },
};

/** A row of the statement that places an order, as the driver answers it (timestamps as text). */
interface PlacedRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  ticket_id: string;
  status: OrderRow['status'];
  expires_at: string;
  version: number;
  created_at: string;
  updated_at: string;
  title: string;
  price: string | number;
  currency: string;
}

function seconds(value: number): SQL {
  return sql`make_interval(secs => ${value}::double precision)`;
}

function selectWithTicket(db: OrdersExecutor) {
  return db.select(orderWithTicket).from(orders).innerJoin(tickets, eq(orders.ticketId, tickets.id));
}

/**
 * Data access for orders. Every status change is one conditional UPDATE that enqueues its event
 * in the caller's transaction (I1), so a change and its event are written together or not at all,
 * and two racing changes (buyer, expiry, payment, sweeper) can never both apply.
 */
export const ordersRepo = {
  /**
   * Inserts an order awaiting payment for `ticketId` that expires `windowSeconds` from now
   * (database clock) and enqueues `order.created`. The replica's ticket is read by the insert
   * itself, so there is no row, and `null` is answered, when the ticket is missing or is `userId`'s
   * own (tell which with `ticketsRepo.findById`). A live order for the same ticket makes the
   * insert fail with a unique violation of `orders_ticket_id_live_unique` (I4), which aborts the
   * transaction.
   */
  async placeAwaitingPayment(
    tx: OrdersTx,
    input: { userId: string; ticketId: string; windowSeconds: number },
  ): Promise<OrderWithTicket | null> {
    const { rows } = await tx.execute<PlacedRow>(sql`
      with ticket as (
        select id, title, price, currency from ${tickets}
        where id = ${input.ticketId}::uuid and user_id <> ${input.userId}::uuid
      ), placed as (
        insert into ${orders} (user_id, ticket_id, status, expires_at)
        select ${input.userId}::uuid, ticket.id, 'awaiting_payment', now() + ${seconds(input.windowSeconds)}
        from ticket
        returning id, user_id, ticket_id, status, expires_at, version, created_at, updated_at
      )
      select placed.*, ticket.title, ticket.price, ticket.currency
      from placed join ticket on ticket.id = placed.ticket_id`);
    const [row] = rows;
    if (!row) return null;
    const placed: OrderWithTicket = {
      order: {
        id: row.id,
        userId: row.user_id,
        ticketId: row.ticket_id,
        status: row.status,
        expiresAt: new Date(row.expires_at),
        version: row.version,
        createdAt: new Date(row.created_at),
        updatedAt: new Date(row.updated_at),
      },
      ticket: {
        id: row.ticket_id,
        title: row.title,
        price: Number(row.price),
        currency: row.currency,
      },
    };
    const { order, ticket } = placed;
    await enqueue(tx, orderCreatedSubject, {
      id: order.id,
      status: order.status,
      userId: order.userId,
      expiresAt: order.expiresAt.toISOString(),
      version: order.version,
      ticket: { id: ticket.id, price: ticket.price, currency: ticket.currency },
    });
    return placed;
  },

  /**
   * Cancels the order if it is still awaiting payment (and belongs to `userId`, when given):
   * version + 1 and `order.cancelled`. `null` when nothing changed.
   */
  async cancelAwaitingPayment(tx: OrdersTx, id: string, userId?: string): Promise<OrderRow | null> {
    const [order] = await tx
      .update(orders)
      .set({ status: 'cancelled', version: sql`${orders.version} + 1`, updatedAt: sql`now()` })
      .where(
        and(
          eq(orders.id, id),
          eq(orders.status, 'awaiting_payment'),
          userId === undefined ? undefined : eq(orders.userId, userId),
        ),
      )
      .returning();
    if (!order) return null;
    await enqueue(tx, orderCancelledSubject, {
      id: order.id,
      version: order.version,
      ticket: { id: order.ticketId },
    });
    return order;
  },

  /** Completes the order if it is still awaiting payment: version + 1 and `order.completed`. */
  async completeAwaitingPayment(tx: OrdersTx, id: string): Promise<OrderRow | null> {
    const [order] = await tx
      .update(orders)
      .set({ status: 'complete', version: sql`${orders.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(orders.id, id), eq(orders.status, 'awaiting_payment')))
      .returning();
    if (!order) return null;
    await enqueue(tx, orderCompletedSubject, {
      id: order.id,
      version: order.version,
      ticket: { id: order.ticketId },
    });
    return order;
  },

  /**
   * Cancels up to `batchSize` orders still awaiting payment whose `expiresAt` passed more than
   * `graceSeconds` ago, each with version + 1 and `order.cancelled`, in one transaction. Rows
   * another transaction holds (a replica's sweep, an expiry or payment in flight) are skipped and
   * re-read under lock, so each order is cancelled once. Answers how many it cancelled.
   */
  async cancelOverdue(db: OrdersDb, options: { graceSeconds: number; batchSize: number }): Promise<number> {
    return db.transaction(async (tx) => {
      const due = await tx
        .select({ id: orders.id })
        .from(orders)
        .where(
          and(
            eq(orders.status, 'awaiting_payment'),
            sql`${orders.expiresAt} < now() - ${seconds(options.graceSeconds)}`,
          ),
        )
        .orderBy(orders.expiresAt)
        .limit(options.batchSize)
        .for('update', { skipLocked: true });
      if (due.length === 0) return 0;
      const cancelled = await tx
        .update(orders)
        .set({ status: 'cancelled', version: sql`${orders.version} + 1`, updatedAt: sql`now()` })
        .where(
          and(
            inArray(
              orders.id,
              due.map((row) => row.id),
            ),
            eq(orders.status, 'awaiting_payment'),
          ),
        )
        .returning();
      for (const order of cancelled) {
        await enqueue(tx, orderCancelledSubject, {
          id: order.id,
          version: order.version,
          ticket: { id: order.ticketId },
        });
      }
      return cancelled.length;
    });
  },

  /** The order `id` if it belongs to `userId`. */
  async findOwned(db: OrdersExecutor, id: string, userId: string): Promise<OrderWithTicket | null> {
    const [row] = await selectWithTicket(db)
      .where(and(eq(orders.id, id), eq(orders.userId, userId)))
      .limit(1);
    return row ?? null;
  },

  /** Up to `limit` of the user's orders, newest first, strictly after `after` when given. */
  async listOwned(
    db: OrdersExecutor,
    userId: string,
    options: { limit: number; after?: PageCursor },
  ): Promise<OrderWithTicket[]> {
    const { after } = options;
    return selectWithTicket(db)
      .where(
        and(
          eq(orders.userId, userId),
          after
            ? sql`(${orders.createdAt}, ${orders.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(options.limit);
  },
};

export type OrdersRepo = typeof ordersRepo;
