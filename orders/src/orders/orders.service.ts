import { AppError, notFound } from '@glotixz/common/errors';
import { encodePageCursor, type PageCursor } from '@glotixz/common/express';
import { isUniqueViolation } from '@glotixz/common/db';
import type { OrdersDb } from '../db/db';
import { liveOrderPerTicketIndex } from '../db/schema';
import { ticketsRepo } from '../tickets/tickets.repo';
import { createOrdersMetrics, type OrdersMetrics } from './orders.metrics';
import { ordersRepo, type OrderWithTicket } from './orders.repo';
import type { OrderPage, OrderView } from './orders.schemas';

/** Settings of the order rules. */
export interface OrdersSettings {
  /** How long an order reserves its ticket before it expires unpaid. */
  expirationWindowSeconds: number;
}

function toView({ order, ticket }: OrderWithTicket): OrderView {
  return {
    id: order.id,
    status: order.status,
    userId: order.userId,
    expiresAt: order.expiresAt.toISOString(),
    ticket: { id: ticket.id, title: ticket.title, price: ticket.price, currency: ticket.currency },
    version: order.version,
  };
}

/**
 * The buyer-facing order rules. Another user's order is reported as missing (I7). `metrics` counts
 * placed orders (unserved counters by default).
 */
export function createOrdersService(
  db: OrdersDb,
  settings: OrdersSettings,
  metrics: Pick<OrdersMetrics, 'created'> = createOrdersMetrics(),
) {
  return {
    /**
     * Reserves a ticket for `userId`. The partial unique index decides who gets a contested
     * ticket (I4), never an earlier read.
     * @throws AppError NOT_FOUND (ticket not in the replica), OWN_TICKET, TICKET_RESERVED.
     */
    async place(userId: string, ticketId: string): Promise<OrderView> {
      try {
        const placed = await db.transaction(async (tx) => {
          const input = { userId, ticketId, windowSeconds: settings.expirationWindowSeconds };
          const row = await ordersRepo.placeAwaitingPayment(tx, input);
          if (row) return toView(row);
          // Only on this error path: was the ticket missing, or the buyer's own?
          const ticket = await ticketsRepo.findById(tx, ticketId);
          if (!ticket) throw notFound('Ticket');
          if (ticket.userId === userId) throw new AppError('OWN_TICKET', 'You cannot order your own ticket');
          // It reached the replica between the two reads: place it now.
          const retried = await ordersRepo.placeAwaitingPayment(tx, input);
          if (!retried) throw notFound('Ticket');
          return toView(retried);
        });
        metrics.created.inc();
        return placed;
      } catch (err) {
        if (isUniqueViolation(err, liveOrderPerTicketIndex)) {
          throw new AppError('TICKET_RESERVED', 'This ticket is already reserved by another order');
        }
        throw err;
      }
    },

    /** The user's orders, newest first, after `cursor` in that order (keyset pagination). */
    async list(userId: string, page: { limit: number; cursor?: PageCursor }): Promise<OrderPage> {
      const after = page.cursor;
      const rows = await ordersRepo.listOwned(db, userId, { limit: page.limit + 1, after });
      const items = rows.slice(0, page.limit);
      const last = items.at(-1);
      return {
        items: items.map(toView),
        nextCursor:
          rows.length > page.limit && last
            ? encodePageCursor({ createdAt: last.order.createdAt, id: last.order.id })
            : null,
      };
    },

    /** @throws AppError NOT_FOUND unless the order exists and is the user's. */
    async get(userId: string, id: string): Promise<OrderView> {
      const row = await ordersRepo.findOwned(db, id, userId);
      if (!row) throw notFound('Order');
      return toView(row);
    },

    /**
     * Cancels the user's order if it awaits payment; an already cancelled order is answered as
     * it is. The conditional UPDATE means a payment or expiry landing meanwhile wins cleanly.
     * @throws AppError NOT_FOUND, ORDER_NOT_CANCELLABLE (complete).
     */
    async cancel(userId: string, id: string): Promise<OrderView> {
      return db.transaction(async (tx) => {
        await ordersRepo.cancelAwaitingPayment(tx, id, userId);
        const row = await ordersRepo.findOwned(tx, id, userId);
        if (!row) throw notFound('Order');
        if (row.order.status === 'complete') {
          throw new AppError('ORDER_NOT_CANCELLABLE', 'A paid order cannot be cancelled');
        }
        return toView(row);
      });
    },
  };
}

export type OrdersService = ReturnType<typeof createOrdersService>;
