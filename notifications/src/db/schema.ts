import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { EmailAttachments } from '../emails/attachments';

export { inbox, outbox } from '@glotixz/common/bus';

/** The replica of auth's accounts, fed by `user.created`: where an email about a user goes. */
export const users = pgTable('users', {
  id: uuid('id').primaryKey(),
  /** Normalised by auth (trimmed, lower case). */
  email: text('email').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/**
 * What happens to an email: `pending` until the sender delivered it (`sent`) or gave up after the
 * last attempt (`dead`, kept with its last error).
 */
export const emailStatuses = ['pending', 'sent', 'dead'] as const;
export type EmailStatus = (typeof emailStatuses)[number];

/**
 * Every email the service ever decided to send. A consumer writes the row in its inbox
 * transaction, rendered and ready; the sender delivers it later, outside any transaction.
 * `(event_id, template)` is unique: a redelivered or republished event can never queue a second
 * copy of the same email.
 */
export const emails = pgTable(
  'emails',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The id of the envelope that caused the email. */
    eventId: uuid('event_id').notNull(),
    template: text('template').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    /** What to attach, rebuilt at send time (the e-ticket PDF and `.ics` come from the e-ticket). */
    attachments: jsonb('attachments').$type<EmailAttachments>(),
    status: text('status', { enum: emailStatuses }).notNull().default('pending'),
    /** Delivery attempts started, counted when a sender claims the row. */
    attempts: integer('attempts').notNull().default(0),
    /** When the row may be claimed next: now for a new row, later after a failure or while claimed. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastError: text('last_error'),
    /** The Message-ID the SMTP server accepted the email under. */
    messageId: text('message_id'),
    sentAt: timestamp('sent_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('emails_event_template_unique').on(t.eventId, t.template),
    index('emails_pending_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
    check('emails_status_check', sql`${t.status} in ('pending', 'sent', 'dead')`),
  ],
);

export type EmailRow = typeof emails.$inferSelect;
