import { AppError, notFound } from '@glotixz/common/errors';
import type { ETicket, FeeSchedule } from '@glotixz/common/events';
import { encodePageCursor, type PageCursor } from '@glotixz/common/express';
import { isUniqueViolation } from '@glotixz/common/db';
import { poolOf, type OrdersDb } from '../db/db';
import { liveOrderPerTicketIndex, type OrderRow } from '../db/schema';
import { eticketsRepo } from '../etickets/etickets.repo';
import { createOrdersMetrics, type OrdersMetrics } from './orders.metrics';
import { maxOrderTotal } from './order-fees';
import { ordersRepo, type PlaceInput, type PlaceOutcome, type Unavailability } from './orders.repo';
import { buyerEmailSchema, type FeesView, type OrderPage, type OrderView } from './orders.schemas';

/** Settings of the order rules. */
export interface OrdersSettings {
  /** How long an order reserves its ticket before it expires unpaid. */
  expirationWindowSeconds: number;
  /** Orders one buyer may hold awaiting payment at once. */
  maxHoldsPerBuyer: number;
  /** Placements one buyer may attempt per `orderRateWindowSeconds`. */
  orderRateMax: number;
  orderRateWindowSeconds: number;
  /** How long a buyer whose order for a ticket was cancelled or expired waits to hold it again. */
  holdCooldownSeconds: number;
  /** The platform fee every new order adds to its ticket's price (`PLATFORM_FEE`). */
  feeSchedule: FeeSchedule;
}

const unavailable: Record<Unavailability, () => AppError> = {
  sold: () => new AppError('TICKET_SOLD', 'This ticket has been sold'),
  'event-started': () =>
    new AppError('EVENT_STARTED', 'The event has started; its tickets can no longer be ordered'),
  reserved: () => new AppError('TICKET_RESERVED', 'This ticket is already reserved by another order'),
  unlisted: () => new AppError('TICKET_UNLISTED', 'The seller has taken this ticket off sale'),
};

/** The error for a placement the ticket or the buyer's rules refused. */
function refusal(
  outcome: Exclude<PlaceOutcome, { status: 'placed' | 'ticket-unseen' | 'rate-limited' }>,
  max: number,
): AppError {
  switch (outcome.status) {
    case 'own-ticket':
      return new AppError('OWN_TICKET', 'You cannot order your own ticket');
    case 'unavailable':
      return unavailable[outcome.reason]();
    case 'cooldown':
      return new AppError(
        'HOLD_COOLDOWN',
        `Your last order for this ticket ended; you can reserve it again in ${outcome.retryAfterSeconds} s`,
        { retryAfterSeconds: outcome.retryAfterSeconds },
      );
    case 'total-too-large':
      return new AppError(
        'ORDER_TOTAL_TOO_LARGE',
        `The price plus the platform fee comes to ${outcome.total} (minor units of ${outcome.currency}), more than one payment can be`,
        { total: outcome.total, currency: outcome.currency, maxTotal: maxOrderTotal },
      );
    case 'hold-limit':
      return new AppError(
        'HOLD_LIMIT_REACHED',
        `You already hold ${outcome.holds} unpaid orders, the most allowed; pay or cancel one first`,
        { maxHolds: max },
      );
  }
}

/** The order as the API shows it: its own terms (I8), never the replica's current ticket. */
function toView(order: OrderRow): OrderView {
  const { id, status, cancelReason, userId, version, ticketId, title, price, fee, total, currency } = order;
  return {
    id,
    status,
    cancelReason,
    userId,
    createdAt: order.createdAt.toISOString(),
    expiresAt: order.expiresAt.toISOString(),
    ticket: { id: ticketId, title, price, fee, total, currency },
    version,
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
  const pool = poolOf(db);
  const attemptLimit = { max: settings.orderRateMax, windowSeconds: settings.orderRateWindowSeconds };
  return {
    /**
     * Reserves a ticket for `userId`. The partial unique index decides who gets a contested
     * ticket (I4), never an earlier read; the buyer's lock makes the hold cap and the cool-down
     * exact under concurrency. Every attempt counts toward the buyer's placement rate, a refused
     * attempt too (see {@link ordersRepo.placeAwaitingPayment}).
     * @throws AppError RATE_LIMITED, NOT_FOUND (ticket not in the replica), OWN_TICKET,
     *   TICKET_RESERVED, TICKET_SOLD, TICKET_UNLISTED, EVENT_STARTED (the event has started, or
     *   the ticket closed), ORDER_TOTAL_TOO_LARGE (price + fee above what Stripe charges at once),
     *   HOLD_COOLDOWN, HOLD_LIMIT_REACHED.
     */
    async place(buyer: { id: string; email: string }, ticketId: string): Promise<OrderView> {
      const userId = buyer.id;
      const email = buyerEmailSchema.safeParse(buyer.email);
      const input: PlaceInput = {
        userId,
        buyerEmail: email.success ? email.data : null,
        ticketId,
        windowSeconds: settings.expirationWindowSeconds,
        maxHolds: settings.maxHoldsPerBuyer,
        cooldownSeconds: settings.holdCooldownSeconds,
        feeSchedule: settings.feeSchedule,
      };
      let outcome: PlaceOutcome;
      try {
        outcome = await ordersRepo.placeAwaitingPayment(pool, input, attemptLimit);
      } catch (err) {
        if (isUniqueViolation(err, liveOrderPerTicketIndex)) {
          // The rollback took the attempt's count with it; it counts all the same.
          await ordersRepo.countAttempt(db, userId, settings.orderRateWindowSeconds);
          throw new AppError('TICKET_RESERVED', 'This ticket is already reserved by another order');
        }
        throw err;
      }
      switch (outcome.status) {
        case 'placed':
          metrics.created.inc();
          return toView(outcome.order);
        case 'rate-limited':
          throw new AppError(
            'RATE_LIMITED',
            `Too many orders placed; try again in ${outcome.retryAfterSeconds} s`,
            { retryAfterSeconds: outcome.retryAfterSeconds },
          );
        case 'ticket-unseen':
          throw notFound('Ticket');
        default:
          throw refusal(outcome, settings.maxHoldsPerBuyer);
      }
    },

    /** The platform fee schedule new orders are placed with: public, so prices show their fee up front. */
    fees(): FeesView {
      return { schedule: settings.feeSchedule };
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
            ? encodePageCursor({ createdAt: last.createdAt, id: last.id })
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
     * @throws AppError NOT_FOUND, ORDER_NOT_CANCELLABLE (complete or refunded).
     */
    async cancel(userId: string, id: string): Promise<OrderView> {
      return db.transaction(async (tx) => {
        await ordersRepo.cancelAwaitingPayment(tx, id, 'buyer', userId);
        const row = await ordersRepo.findOwned(tx, id, userId);
        if (!row) throw notFound('Order');
        if (row.status === 'complete' || row.status === 'refunded') {
          throw new AppError('ORDER_NOT_CANCELLABLE', 'A paid order cannot be cancelled');
        }
        return toView(row);
      });
    },

    /**
     * The e-ticket of the user's complete order. A refunded order's e-ticket is void.
     * @throws AppError NOT_FOUND (no such order of the user's, not complete yet, or its ticket had
     *   no event so it has no e-ticket), TICKET_VOID (refunded).
     */
    async eticket(userId: string, id: string): Promise<ETicket> {
      const row = await ordersRepo.findOwned(db, id, userId);
      if (!row) throw notFound('Order');
      if (row.status !== 'complete' && row.status !== 'refunded') throw notFound('E-ticket');
      const eticket = await eticketsRepo.findByOrder(db, id);
      if (!eticket) throw notFound('E-ticket');
      if (row.status === 'refunded') {
        throw new AppError('TICKET_VOID', 'This order was refunded; its e-ticket is void');
      }
      return eticket;
    },
  };
}

export type OrdersService = ReturnType<typeof createOrdersService>;
