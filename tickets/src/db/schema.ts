import { sql } from 'drizzle-orm';
import { char, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export { inbox, outbox } from '@glotixz/common/bus';

/**
 * Tickets listed by sellers. `order_id` is the order currently holding the ticket (null when it is
 * available); `sold_at` is set once that order is paid, after which the ticket never changes hands
 * again; `version` starts at 0 and grows by 1 with every change, each one published as an event.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    /** Integer minor units of `currency` (cents for `usd`). */
    price: integer('price').notNull(),
    /** Lower-case ISO 4217 code. */
    currency: char('currency', { length: 3 }).notNull(),
    userId: uuid('user_id').notNull(),
    orderId: uuid('order_id'),
    /**
     * The terms of the order holding the ticket (I8), as `order.created` carried them: what its
     * buyer reserved and pays, whatever the seller changed before the reservation arrived. Null
     * while available; the ticket's own title, price and currency are what it is sold at next.
     */
    heldTitle: text('held_title'),
    heldPrice: integer('held_price'),
    heldCurrency: char('held_currency', { length: 3 }),
    /** When the holding order was paid (`order.completed`); null while available or reserved. */
    soldAt: timestamp('sold_at', { withTimezone: true }),
    version: integer('version').notNull().default(0),
    // Millisecond precision, so a JavaScript Date in a list cursor holds the exact stored value.
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    check('tickets_price_positive', sql`${t.price} > 0`),
    check('tickets_currency_lower', sql`${t.currency} ~ '^[a-z]{3}$'`),
    check('tickets_version_non_negative', sql`${t.version} >= 0`),
    // A sold ticket stays with the order that bought it.
    check('tickets_sold_has_order', sql`${t.soldAt} is null or ${t.orderId} is not null`),
    // A held ticket knows the terms it is held at; an available one has none.
    check(
      'tickets_held_terms',
      sql`(${t.orderId} is null) = (${t.heldTitle} is null) and (${t.orderId} is null) = (${t.heldPrice} is null) and (${t.orderId} is null) = (${t.heldCurrency} is null)`,
    ),
    index('tickets_available_idx')
      .on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.orderId} is null`),
    // A seller's own listings, newest first (GET /api/tickets/mine).
    index('tickets_seller_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // Trigram index (pg_trgm, migration 0000) for substring search on available tickets.
    index('tickets_available_title_trgm_idx')
      .using('gin', sql`lower(${t.title}) gin_trgm_ops`)
      .where(sql`${t.orderId} is null`),
  ],
);

/**
 * Orders this service has seen cancelled. `order.created` and `order.cancelled` arrive through two
 * consumers that do not wait for each other, so a cancellation can overtake its order's creation;
 * this record keeps that late `order.created` from reserving the ticket for a dead order.
 */
export const cancelledOrders = pgTable('cancelled_orders', {
  orderId: uuid('order_id').primaryKey(),
  ticketId: uuid('ticket_id').notNull(),
  cancelledAt: timestamp('cancelled_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Orders this service has seen completed (paid). `order.completed` has its own consumer, so it can
 * arrive before the order's `order.created` has reserved the ticket; this record lets that later
 * reservation mark the ticket sold at once.
 */
export const completedOrders = pgTable('completed_orders', {
  orderId: uuid('order_id').primaryKey(),
  ticketId: uuid('ticket_id').notNull(),
  completedAt: timestamp('completed_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A row of {@link tickets}. */
export type TicketRow = typeof tickets.$inferSelect;
