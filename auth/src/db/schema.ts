import { sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Accounts. `email` is stored normalised (trimmed, lower case) and unique. */
export const users = pgTable('users', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  email: text('email').notNull().unique('users_email_unique'),
  passwordHash: text('password_hash').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Failed sign-in counters, shared by every auth replica: one row per limiter key (a SHA-256 of the
 * client address, or of address and email, never the values themselves) for the current window.
 */
export const signinAttempts = pgTable('signin_attempts', {
  key: text('key').primaryKey(),
  hits: integer('hits').notNull(),
  resetAt: timestamp('reset_at', { withTimezone: true, precision: 3 }).notNull(),
});

export type UserRow = typeof users.$inferSelect;
