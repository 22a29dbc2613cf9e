import { enqueue } from '@glotixz/common/bus';
import { orderCancelledSubject, orderCompletedSubject, orderCreatedSubject } from '@glotixz/common/events';
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { OrdersDb, OrdersExecutor, OrdersTx } from '../db/db';
import { orders, tickets, type CancelReason, type OrderRow } from '../db/schema';
import type { OrderCursor } from './cursor';

/** A row of the statement that places an order, as the driver answers it (timestamps as text). */
interface PlacedRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  ticket_id: string;
  status: OrderRow['status'];
  cancel_reason: OrderRow['cancelReason'];
  title: string;
  price: string | number;
  currency: string;
  expires_at: string;
  version: number;
  created_at: string;
  updated_at: string;
}

function seconds(value: number): SQL {
  return sql`make_interval(secs => ${value}::double precision)`;
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
   * itself, which copies its title, price and currency into the order: the order's terms (I8),
   * fixed from then on whatever the seller edits. There is no row, and `null` is answered, when the
   * ticket is missing or is `userId`'s own (tell which with `ticketsRepo.findById`). A live order
   * for the same ticket makes the insert fail with a unique violation of
   * `orders_ticket_id_live_unique` (I4), which aborts the transaction.
   */
  async placeAwaitingPayment(
    tx: OrdersTx,
    input: { userId: string; ticketId: string; windowSeconds: number },
  ): Promise<OrderRow | null> {
    const { rows } = await tx.execute<PlacedRow>(sql`
      insert into ${orders} (user_id, ticket_id, status, title, price, currency, expires_at)
      select ${input.userId}::uuid, id, 'awaiting_payment', title, price, currency,
             now() + ${seconds(input.windowSeconds)}
      from ${tickets}
      where id = ${input.ticketId}::uuid and user_id <> ${input.userId}::uuid
      returning id, user_id, ticket_id, status, cancel_reason, title, price, currency, expires_at,
                version, created_at, updated_at`);
    const [row] = rows;
    if (!row) return null;
    const order: OrderRow = {
      id: row.id,
      userId: row.user_id,
      ticketId: row.ticket_id,
      status: row.status,
      cancelReason: row.cancel_reason,
      title: row.title,
      price: Number(row.price),
      currency: row.currency,
      expiresAt: new Date(row.expires_at),
      version: row.version,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
    await enqueue(tx, orderCreatedSubject, {
      id: order.id,
      status: order.status,
      userId: order.userId,
      expiresAt: order.expiresAt.toISOString(),
      version: order.version,
      ticket: { id: order.ticketId, title: order.title, price: order.price, currency: order.currency },
    });
    return order;
  },

  /**
   * Cancels the order if it is still awaiting payment (and belongs to `userId`, when given) for
   * `reason`: version + 1 and `order.cancelled`. `null` when nothing changed.
   */
  async cancelAwaitingPayment(
    tx: OrdersTx,
    id: string,
    reason: CancelReason,
    userId?: string,
  ): Promise<OrderRow | null> {
    const [order] = await tx
      .update(orders)
      .set({
        status: 'cancelled',
        cancelReason: reason,
        version: sql`${orders.version} + 1`,
        updatedAt: sql`now()`,
      })
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
   * `graceSeconds` ago, as expired, each with version + 1 and `order.cancelled`, in one transaction. Rows
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
        .set({
          status: 'cancelled',
          cancelReason: 'expired',
          version: sql`${orders.version} + 1`,
          updatedAt: sql`now()`,
        })
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
  async findOwned(db: OrdersExecutor, id: string, userId: string): Promise<OrderRow | null> {
    const [row] = await db
      .select()
      .from(orders)
      .where(and(eq(orders.id, id), eq(orders.userId, userId)))
      .limit(1);
    return row ?? null;
  },

  /** Up to `limit` of the user's orders, newest first, strictly after `after` when given. */
  async listOwned(
    db: OrdersExecutor,
    userId: string,
    options: { limit: number; after?: OrderCursor },
  ): Promise<OrderRow[]> {
    const { after } = options;
    return db
      .select()
      .from(orders)
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
