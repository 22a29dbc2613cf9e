import { ticketStatuses } from '@glotixz/common/events';
import { sql, type SQL } from 'drizzle-orm';
import {
  char,
  check,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

export { inbox, outbox } from '@glotixz/common/bus';

/** The kinds of event a listing can be for. */
export const eventCategories = ['concert', 'sports', 'theatre', 'comedy', 'festival', 'other'] as const;

/** A kind of event. */
export type EventCategory = (typeof eventCategories)[number];

/** A Postgres `tsvector`, read as its text form (only ever written by the database). */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * `fold_text(x)`: lower-case, unaccented, trimmed, inner whitespace collapsed ("  Café  Tacvba" →
 * "cafe tacvba"). An IMMUTABLE SQL function over `unaccent` (migration 0005), so indexes, the
 * generated search column and the unique identity of an event can use it.
 */
export const foldText = (value: SQL | AnyPgColumn | string): SQL => sql`fold_text(${value})`;

const quoted = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

/**
 * Events listings are for: a concert, a match, a show. Created by any signed-in seller, who is its
 * organizer; one row per (name, venue, start), compared folded (`events_identity_unique`).
 * `closed_at` is set by the closing job once the event has started and its listings were closed.
 */
export const events = pgTable(
  'events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    venue: text('venue').notNull(),
    city: text('city').notNull(),
    /** ISO 3166-1 alpha-2, upper case. */
    country: char('country', { length: 2 }).notNull(),
    // Millisecond precision, so a JavaScript Date in a list cursor holds the exact stored value.
    startsAt: timestamp('starts_at', { withTimezone: true, precision: 3 }).notNull(),
    /** IANA time zone of the venue, for showing the start in local time. */
    timezone: text('timezone').notNull(),
    category: text('category', { enum: eventCategories }).notNull(),
    organizerId: uuid('organizer_id').notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** Full-text search over the folded name, venue and city ('simple' configuration: no stemming). */
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(
        (): SQL =>
          sql`to_tsvector('simple'::regconfig, fold_text(name) || ' ' || fold_text(venue) || ' ' || fold_text(city))`,
      ),
  },
  (t) => [
    check('events_category_known', sql`${t.category} in (${quoted(eventCategories)})`),
    check('events_country_code', sql`${t.country} ~ '^[A-Z]{2}$'`),
    // The same event created twice (whatever the case, accents or spacing) is one row.
    uniqueIndex('events_identity_unique').on(foldText(t.name), foldText(t.venue), t.startsAt),
    // Upcoming events, soonest first (GET /api/events) and the closing job's due events.
    index('events_starts_at_idx').on(t.startsAt, t.id),
    index('events_search_idx').using('gin', t.search),
    // Typo-tolerant name search (word_similarity, pg_trgm).
    index('events_name_trgm_idx').using('gin', sql`fold_text(${t.name}) gin_trgm_ops`),
    index('events_city_idx').on(foldText(t.city), t.startsAt),
    index('events_category_idx').on(t.category, t.startsAt),
  ],
);

/** A row of {@link events}. */
export type EventRow = typeof events.$inferSelect;

/**
 * Tickets (listings) sellers list for an event. `status` is where it stands (`ticketStatuses`):
 * `order_id` is the order holding it (set exactly while reserved or sold); `sold_at` is set once
 * that order is paid, after which the ticket never changes hands again; `version` starts at 0 and
 * grows by 1 with every change, each one published as an event. `title` is derived from the event's
 * name and the seat; `starts_at` copies the event's start (which never changes) so the listing's
 * queries sort and filter on one table.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id),
    startsAt: timestamp('starts_at', { withTimezone: true, precision: 3 }).notNull(),
    title: text('title').notNull(),
    section: text('section'),
    row: text('row'),
    seat: text('seat'),
    note: text('note'),
    status: text('status', { enum: ticketStatuses }).notNull().default('available'),
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
    check('tickets_status_known', sql`${t.status} in (${quoted(ticketStatuses)})`),
    // An order holds exactly the reserved and sold tickets, and only sold ones have a sale time.
    check('tickets_status_order', sql`(${t.orderId} is not null) = (${t.status} in ('reserved', 'sold'))`),
    check('tickets_status_sold', sql`(${t.soldAt} is not null) = (${t.status} = 'sold')`),
    // A held ticket knows the terms it is held at; an available one has none.
    check(
      'tickets_held_terms',
      sql`(${t.orderId} is null) = (${t.heldTitle} is null) and (${t.orderId} is null) = (${t.heldPrice} is null) and (${t.orderId} is null) = (${t.heldCurrency} is null)`,
    ),
    // Available listings of one event by price (the event page, the event's figures).
    index('tickets_available_event_price_idx')
      .on(t.eventId, t.price, t.id)
      .where(sql`${t.status} = 'available'`),
    // Available listings by event start, then price (GET /api/tickets?sort=date).
    index('tickets_available_start_idx')
      .on(t.startsAt, t.price, t.id)
      .where(sql`${t.status} = 'available'`),
    // Available listings by price, and price ranges (GET /api/tickets?sort=price&minPrice=&maxPrice=).
    index('tickets_available_price_idx')
      .on(t.price, t.startsAt, t.id)
      .where(sql`${t.status} = 'available'`),
    // A seller's own listings, newest first (GET /api/tickets/mine).
    index('tickets_seller_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
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

/**
 * Door staff of an event: the emails its organizer lets scan tickets at the door, besides the
 * organizer. Stored trimmed and lower-case (`event_staff_email_folded`), once per event (the key).
 */
export const eventStaff = pgTable(
  'event_staff',
  {
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id),
    email: text('email').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.email] }),
    check('event_staff_email_folded', sql`${t.email} = lower(btrim(${t.email}))`),
  ],
);

/**
 * Orders this service has seen refunded (`payment.refunded`). Kept for good, not pruned: a refunded
 * order's e-ticket never admits, however late it is scanned.
 */
export const refundedOrders = pgTable('refunded_orders', {
  orderId: uuid('order_id').primaryKey(),
  refundedAt: timestamp('refunded_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Tickets admitted at the door, one row per ticket (the key, I9): the first scan's insert wins and
 * every later scan of the same ticket finds this row and answers when it was admitted.
 */
export const admissions = pgTable(
  'admissions',
  {
    ticketId: uuid('ticket_id')
      .primaryKey()
      .references(() => tickets.id),
    orderId: uuid('order_id').notNull(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => events.id),
    admittedAt: timestamp('admitted_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** The organizer or staff member who scanned it. */
    admittedBy: uuid('admitted_by').notNull(),
  },
  (t) => [index('admissions_event_idx').on(t.eventId)],
);
