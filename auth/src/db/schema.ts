import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export { outbox } from '@glotixz/common/bus';

/** Accounts. `email` is stored normalised (trimmed, lower case) and unique. */
export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
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

/**
 * Per-account sign-in backoff, shared by every auth replica: one row per account key (a SHA-256 of
 * the normalised email, never the email itself) while it has recent failures. Past the free
 * failures every attempt waits until `locked_until`, which doubles with each further failure;
 * the row is forgotten at `expires_at`, or at the next successful sign-in.
 */
export const signinBackoff = pgTable('signin_backoff', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lockedUntil: timestamp('locked_until', { withTimezone: true, precision: 3 }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
});

/**
 * Sign-in sessions: one row per token auth issued, keyed by the token's `sid`. Signing out sets
 * `revoked_at` (and publishes `session.revoked`); a row is of no use after `expires_at`.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId), index('sessions_expires_at_idx').on(t.expiresAt)],
);

/**
 * Password-reset tokens: one row per token auth mailed, holding only the token's SHA-256 (the
 * token itself travels once, in `user.password-reset-requested`). A token works once, before
 * `expires_at`: confirming it sets `used_at`, and so does a newer request for the same user, which
 * supersedes it. A row is of no use after `expires_at`.
 */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull().unique('password_resets_token_hash_unique'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('password_resets_user_id_idx').on(t.userId),
    index('password_resets_expires_at_idx').on(t.expiresAt),
  ],
);

export type UserRow = typeof users.$inferSelect;
