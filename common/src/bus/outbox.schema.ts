import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Envelope } from '../events';
import type { MessageHeaders } from './message';

/**
 * Events waiting to be published (I1). A row is written in the same transaction as the domain
 * change and deleted by the relay only after JetStream acknowledged it. Re-export it from a
 * service's drizzle schema so its migrations create it.
 */
export const outbox = pgTable(
  'outbox',
  {
    /** The event id, also the JetStream `msgID`. */
    id: uuid('id').primaryKey(),
    subject: text('subject').notNull(),
    envelope: jsonb('envelope').$type<Envelope>().notNull(),
    headers: jsonb('headers').$type<MessageHeaders>(),
    // clock_timestamp(), not now(): rows enqueued by one transaction must keep their order.
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .default(sql`clock_timestamp()`),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_created_at_idx').on(t.createdAt)],
);

/**
 * Events a consumer has handled (I2), keyed by consumer and event id. Re-export it from a
 * service's drizzle schema so its migrations create it.
 */
export const inbox = pgTable(
  'inbox',
  {
    consumer: text('consumer').notNull(),
    eventId: uuid('event_id').notNull(),
    processedAt: timestamp('processed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

/** A row of {@link outbox}. */
export type OutboxRow = typeof outbox.$inferSelect;
/** A row of {@link inbox}. */
export type InboxRow = typeof inbox.$inferSelect;
