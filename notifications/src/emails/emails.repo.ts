import { and, eq, inArray, sql } from 'drizzle-orm';
import type { NotificationsDb, NotificationsTx } from '../db/db';
import { emails, type EmailRow } from '../db/schema';
import type { EmailAttachments } from './attachments';
import type { RenderedEmail } from './templates/layout';
import type { TemplateName } from './templates/templates';

/** An email a consumer decided to send. */
export interface NewEmail {
  eventId: string;
  template: TemplateName;
  recipient: string;
  rendered: RenderedEmail;
  attachments?: EmailAttachments;
}

/** Data access for the emails queue. */
export const emailsRepo = {
  /**
   * Queues an email in the consumer's transaction; a repeat of `(eventId, template)` changes
   * nothing (the unique key decides, no check-then-insert). Answers whether a row was written.
   */
  async enqueue(tx: NotificationsTx, email: NewEmail): Promise<boolean> {
    const inserted = await tx
      .insert(emails)
      .values({
        eventId: email.eventId,
        template: email.template,
        recipient: email.recipient,
        subject: email.rendered.subject,
        html: email.rendered.html,
        text: email.rendered.text,
        attachments: email.attachments ?? null,
      })
      .onConflictDoNothing({ target: [emails.eventId, emails.template] })
      .returning({ id: emails.id });
    return inserted.length > 0;
  },

  /**
   * Claims up to `batchSize` due pending emails in one short statement: rows another sender holds
   * are skipped (`FOR UPDATE SKIP LOCKED`), and each claimed row counts an attempt and is hidden
   * from every sender for `leaseMs`, long enough to send it outside any transaction. A sender that
   * dies mid-send leaves the row to be claimed again once the lease ends.
   */
  async claimDue(
    db: NotificationsDb,
    { batchSize, leaseMs }: { batchSize: number; leaseMs: number },
  ): Promise<EmailRow[]> {
    const due = db
      .select({ id: emails.id })
      .from(emails)
      .where(and(eq(emails.status, 'pending'), sql`${emails.nextAttemptAt} <= now()`))
      .orderBy(emails.nextAttemptAt)
      .limit(batchSize)
      .for('update', { skipLocked: true });
    return db
      .update(emails)
      .set({
        attempts: sql`${emails.attempts} + 1`,
        nextAttemptAt: sql`now() + ${leaseMs} * interval '1 millisecond'`,
      })
      .where(sql`${emails.id} in (${due})`)
      .returning();
  },

  /** Records the delivery of a claimed email. */
  async markSent(db: NotificationsDb, id: string, messageId: string): Promise<void> {
    await db
      .update(emails)
      .set({ status: 'sent', messageId, sentAt: sql`now()`, lastError: null })
      .where(and(eq(emails.id, id), eq(emails.status, 'pending')));
  },

  /** Hands claimed emails back unsent (shutdown): due at once, the attempt not counted. */
  async release(db: NotificationsDb, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await db
      .update(emails)
      .set({ attempts: sql`${emails.attempts} - 1`, nextAttemptAt: sql`now()` })
      .where(and(inArray(emails.id, ids), eq(emails.status, 'pending')));
  },

  /** Records a failed attempt: the email is tried again after `retryInMs`, or is `dead` when that is null. */
  async markFailed(db: NotificationsDb, id: string, error: string, retryInMs: number | null): Promise<void> {
    await db
      .update(emails)
      .set(
        retryInMs === null
          ? { status: 'dead', lastError: error }
          : { lastError: error, nextAttemptAt: sql`now() + ${retryInMs} * interval '1 millisecond'` },
      )
      .where(and(eq(emails.id, id), eq(emails.status, 'pending')));
  },
};
