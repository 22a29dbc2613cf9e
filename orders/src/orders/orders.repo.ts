import { enqueue } from '@glotixz/common/bus';
import { orderCancelledSubject, orderCompletedSubject, orderCreatedSubject } from '@glotixz/common/events';
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { OrdersDb, OrdersExecutor, OrdersTx } from '../db/db';
import { orders, tickets, type OrderRow, type TicketRow } from '../db/schema';
import type { OrderCursor } from './cursor';

/** An order with the replica's view of its ticket. */
export interface OrderWithTicket {
  order: OrderRow;
  ticket: Pick<TicketRow, 'id' | 'title' | 'price' | 'currency'>;
}

const orderWithTicket = {
  order: orders,
  ticket: { id: tickets.id, title: tickets.title, price: tickets.price, currency: tickets.currency },
};

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
   * Inserts an order awaiting payment that expires `windowSeconds` from now (database clock) and
   * enqueues `order.created`. A live order for the same ticket makes the insert fail with a unique
   * violation of `orders_ticket_id_live_unique` (I4), which aborts the transaction.
   */
  async insertAwaitingPayment(
    tx: OrdersTx,
    input: { userId: string; ticket: TicketRow; windowSeconds: number },
  ): Promise<OrderRow> {
    const [order] = await tx
      .insert(orders)
      .values({
        userId: input.userId,
        ticketId: input.ticket.id,
        status: 'awaiting_payment',
        expiresAt: sql`now() + ${seconds(input.windowSeconds)}`,
      })
      .returning();
    if (!order) throw new Error('insert returned no row');
    await enqueue(tx, orderCreatedSubject, {
      id: order.id,
      status: order.status,
      userId: order.userId,
      expiresAt: order.expiresAt.toISOString(),
      version: order.version,
      ticket: { id: input.ticket.id, price: input.ticket.price, currency: input.ticket.currency },
    });
    return order;
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
    options: { limit: number; after?: OrderCursor },
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
