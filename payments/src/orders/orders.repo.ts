import type { OrderCreatedData } from '@glotixz/common/events';
import { insertFirst } from '@glotixz/common/db';
import { and, eq, sql } from 'drizzle-orm';
import type { PaymentsExecutor, PaymentsTx } from '../db/db';
import type { OrderStatus } from '@glotixz/common/events';
import { orders, type OrderRow } from '../db/schema';

/** An order of the replica, with whether its reservation window has passed (database clock). */
export interface LockedOrder {
  order: OrderRow;
  expired: boolean;
}

/** Data access for the local order replica (I3). */
export const ordersRepo = {
  /** Inserts a newly placed order (charged its total; the seller, the price); `false` when the replica has it already (a repeat). */
  insertCreated(db: PaymentsExecutor, data: OrderCreatedData): Promise<boolean> {
    return insertFirst(db, orders, {
      id: data.id,
      userId: data.userId,
      status: data.status,
      // The buyer pays the total (price + fee); an event from before fees has neither: the price.
      amount: data.ticket.total ?? data.ticket.price,
      price: data.ticket.price,
      fee: data.ticket.fee ?? (data.ticket.total ?? data.ticket.price) - data.ticket.price,
      currency: data.ticket.currency,
      expiresAt: new Date(data.expiresAt),
      version: data.version,
      title: data.ticket.title ?? null,
      sellerId: data.sellerId ?? null,
      eventId: data.event?.id ?? null,
      eventStartsAt: data.event ? new Date(data.event.startsAt) : null,
    });
  },

  /**
   * Moves the order to `status` at `version`, only on top of `version - 1` (I3), in one
   * conditional UPDATE so two deliveries can never both apply.
   */
  async applyStatus(
    db: PaymentsExecutor,
    change: { id: string; version: number; status: OrderStatus },
  ): Promise<boolean> {
    const updated = await db
      .update(orders)
      .set({ status: change.status, version: change.version })
      .where(and(eq(orders.id, change.id), eq(orders.version, change.version - 1)))
      .returning({ id: orders.id });
    return updated.length > 0;
  },

  async find(db: PaymentsExecutor, id: string): Promise<OrderRow | null> {
    const [row] = await db.select().from(orders).where(eq(orders.id, id)).limit(1);
    return row ?? null;
  },

  /**
   * Locks the order row until the transaction ends. Every path that decides about an order's
   * payment (paying, the webhook, a cancellation) takes this lock first, so they run one at a time
   * per order and always lock order before payment (no deadlocks).
   */
  async lock(tx: PaymentsTx, id: string): Promise<LockedOrder | null> {
    const [row] = await tx
      .select({ order: orders, expired: sql<boolean>`${orders.expiresAt} <= now()` })
      .from(orders)
      .where(eq(orders.id, id))
      .limit(1)
      .for('update');
    return row ?? null;
  },
};
