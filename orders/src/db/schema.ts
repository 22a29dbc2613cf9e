import { orderStatuses, ticketStatuses } from '@glotixz/common/events';
import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import type { ETicket } from '@glotixz/common/events';

export { inbox, outbox } from '@glotixz/common/bus';

/** Why an order was cancelled: its reservation ran out, or its buyer cancelled it. */
export const cancelReasons = ['expired', 'buyer'] as const;

/** The name of the index that lets at most one live (not cancelled) order hold a ticket (I4). */
export const liveOrderPerTicketIndex = 'orders_ticket_id_live_unique';

/**
 * The local replica of the tickets service's tickets, fed by `ticket.created` / `ticket.updated`
 * and applied in version order (I3). `id` is the tickets service's id. `status`, `eventId` and
 * `startsAt` decide whether the ticket can be ordered; tickets published before listings had events
 * have no event (`eventId` and `startsAt` null) and the status their `orderId` implies.
 * `eventName` … `timezone` and `section`, `row`, `seat` are what the e-ticket prints: the event's
 * details and the seat as the latest applied event carried them (null when it carried none).
 */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey(),
    title: text('title').notNull(),
    price: bigint('price', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    userId: uuid('user_id').notNull(),
    orderId: uuid('order_id'),
    status: text('status', { enum: ticketStatuses }).notNull(),
    eventId: uuid('event_id'),
    /** When the ticket's event starts: no order is placed for it from then on. */
    startsAt: timestamp('starts_at', { withTimezone: true, precision: 3 }),
    eventName: text('event_name'),
    venue: text('venue'),
    city: text('city'),
    country: text('country'),
    timezone: text('timezone'),
    section: text('section'),
    row: text('row'),
    seat: text('seat'),
    version: integer('version').notNull(),
  },
  (t) => [
    check('tickets_price_nonnegative', sql`${t.price} >= 0`),
    check(
      'tickets_status_check',
      sql`${t.status} in ('available', 'reserved', 'sold', 'unlisted', 'closed')`,
    ),
  ],
);

/**
 * Orders. Timestamps keep millisecond precision so a list cursor built from a JavaScript `Date`
 * names a row exactly.
 */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    status: text('status', { enum: orderStatuses }).notNull(),
    // The order's terms (I8), copied from the ticket by the statement that places the order and
    // never changed after: every view of the order and the charge use these, not the replica.
    title: text('title').notNull(),
    /** Integer minor units of `currency`. */
    price: bigint('price', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    /**
     * The platform fee the buyer pays on top of the price and the sum they are charged, in minor
     * units of `currency`, fixed with the price from the fee schedule in force when the order was
     * placed (I8). Orders placed before fees have fee 0 and total = price.
     */
    fee: bigint('fee', { mode: 'number' }).notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    /** The seat, part of the terms too (printed on the e-ticket); null parts for none or older orders. */
    section: text('section'),
    row: text('row'),
    seat: text('seat'),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    /**
     * Set exactly when `status` is `cancelled`, by the same UPDATE; a cancelled order whose late
     * payment was refunded keeps it when it becomes `refunded`.
     */
    cancelReason: text('cancel_reason', { enum: cancelReasons }),
    /** The buyer's email when the order was placed, printed on the e-ticket; null for older orders. */
    buyerEmail: text('buyer_email'),
    version: integer('version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    check('orders_price_nonnegative', sql`${t.price} >= 0`),
    check('orders_fee_nonnegative', sql`${t.fee} >= 0`),
    check('orders_total_is_price_plus_fee', sql`${t.total} = ${t.price} + ${t.fee}`),
    check(
      'orders_status_check',
      sql`${t.status} in ('awaiting_payment', 'cancelled', 'complete', 'refunded')`,
    ),
    check(
      'orders_cancel_reason_check',
      sql`(case ${t.status} when 'cancelled' then ${t.cancelReason} is not null when 'refunded' then true else ${t.cancelReason} is null end) and (${t.cancelReason} is null or ${t.cancelReason} in ('expired', 'buyer'))`,
    ),
    // Live: awaiting payment or complete. A refunded order no longer holds its ticket (a sold
    // ticket stays sold in the replica, so it is not ordered again).
    uniqueIndex(liveOrderPerTicketIndex)
      .on(t.ticketId)
      .where(sql`status in ('awaiting_payment', 'complete')`),
    // Scanned backwards for "mine, newest first" (`order by created_at desc, id desc`).
    index('orders_user_id_created_at_id_idx').on(t.userId, t.createdAt, t.id),
    index('orders_status_expires_at_idx').on(t.status, t.expiresAt),
    // A buyer's live holds, counted under the buyer's lock by every placement (the hold cap).
    index('orders_user_id_awaiting_payment_idx')
      .on(t.userId)
      .where(sql`status = 'awaiting_payment'`),
    // A buyer's earlier orders for one ticket (the cool-down after a cancellation or expiry).
    index('orders_ticket_id_user_id_idx').on(t.ticketId, t.userId),
  ],
);

/**
 * Order placements per buyer in a fixed window started by the first one (the placement rate
 * limit), kept here so every replica counts against the same budget. Rows whose window ended are
 * pruned.
 */
export const orderAttempts = pgTable('order_attempts', {
  userId: uuid('user_id').primaryKey(),
  hits: integer('hits').notNull(),
  resetAt: timestamp('reset_at', { withTimezone: true, precision: 3 }).notNull(),
});

/**
 * The e-ticket of a complete order, minted in the transaction that completed it: `code` is the
 * signed token the door scans, `document` the whole e-ticket as `GET /api/orders/:id/eticket`
 * answers it (read back through `eTicketSchema`). An order whose ticket has no event (listed
 * before listings belonged to events) has none: the door needs an event id to admit.
 */
export const etickets = pgTable('etickets', {
  orderId: uuid('order_id')
    .primaryKey()
    .references(() => orders.id),
  code: text('code').notNull(),
  issuedAt: timestamp('issued_at', { withTimezone: true, precision: 3 }).notNull(),
  document: jsonb('document').$type<ETicket>().notNull(),
});

export type TicketRow = typeof tickets.$inferSelect;
export type ETicketRow = typeof etickets.$inferSelect;
export type OrderRow = typeof orders.$inferSelect;
export type CancelReason = (typeof cancelReasons)[number];
