import { backoffDelay, type BackoffOptions } from '@glotixz/common/bus';
import { createBackgroundLoop } from '@glotixz/common/db';
import type { Logger } from 'pino';
import type { NotificationsDb } from '../db/db';
import type { EmailRow } from '../db/schema';
import { attachmentFiles } from './attachments';
import type { EmailsMetrics } from './emails.metrics';
import { emailsRepo } from './emails.repo';
import type { Mailer } from './mailer';

/** Options of {@link createEmailSender}. */
export interface EmailSenderOptions {
  db: NotificationsDb;
  mailer: Mailer;
  logger: Logger;
  metrics: EmailsMetrics;
  /** Pause between passes when nothing wakes the sender. */
  intervalMs: number;
  batchSize: number;
  /** Attempts before an email is `dead`. */
  maxAttempts: number;
  /** Wait after a failed attempt: `baseMs` doubling, at most `capMs`. */
  retry: BackoffOptions;
  /** How long a claimed email stays hidden from other senders: longer than one SMTP conversation. */
  leaseMs: number;
}

/** The background sender of queued emails. */
export interface EmailSender {
  /** Sends every due email now, batch by batch; answers how many were sent. */
  sendDue(this: void): Promise<number>;
  start(this: void): void;
  /** Looks for due emails at once (a consumer just queued one). */
  wake(this: void): void;
  stop(this: void): Promise<void>;
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 2000);
}

/**
 * Creates the sender that delivers queued emails, on `createBackgroundLoop`. Safe with several
 * replicas: each pass claims its rows in one short statement (`FOR UPDATE SKIP LOCKED`, with a
 * lease), talks to SMTP with no transaction open, then records the outcome. A failed attempt is
 * retried with exponential backoff; after `maxAttempts` the row is marked `dead` with its last
 * error, logged and counted (nothing is published: the row is the dead letter). An email is sent
 * twice only if a sender dies (or loses the database) between the SMTP server's acceptance and
 * the `sent` mark; it then carries the same Message-ID. `stop` finishes the email in hand and
 * hands the rest of the batch back.
 */
export function createEmailSender(options: EmailSenderOptions): EmailSender {
  const { db, mailer, metrics, batchSize, maxAttempts, leaseMs } = options;
  const name = 'email-sender';
  const logger = options.logger.child({ component: name });

  async function deliver(row: EmailRow): Promise<boolean> {
    const template = row.template;
    let messageId: string;
    try {
      messageId = await mailer.send({
        id: row.id,
        to: row.recipient,
        subject: row.subject,
        html: row.html,
        text: row.text,
        attachments: await attachmentFiles(row.attachments),
      });
    } catch (err) {
      await recordFailure(row, err);
      return false;
    }
    // Outside the try: once the server accepted the email, only `sent` may be recorded. If this
    // write fails the pass fails, and the row is sent again when its lease ends.
    await emailsRepo.markSent(db, row.id, messageId);
    metrics.sent.inc({ template });
    logger.info({ emailId: row.id, template, messageId, attempt: row.attempts }, 'email sent');
    return true;
  }

  async function recordFailure(row: EmailRow, err: unknown): Promise<void> {
    const { template } = row;
    const error = errorText(err);
    metrics.failed.inc({ template });
    if (row.attempts >= maxAttempts) {
      await emailsRepo.markFailed(db, row.id, error, null);
      metrics.dead.inc({ template });
      logger.error(
        { emailId: row.id, template, attempts: row.attempts, err },
        'email dead after its last attempt',
      );
    } else {
      const retryInMs = backoffDelay(row.attempts, options.retry);
      await emailsRepo.markFailed(db, row.id, error, retryInMs);
      logger.warn(
        { emailId: row.id, template, attempt: row.attempts, retryInMs, err },
        'email not sent; will retry',
      );
    }
  }

  let stopping = false;

  async function sendDue(): Promise<number> {
    let sent = 0;
    while (!stopping) {
      const claimed = await emailsRepo.claimDue(db, { batchSize, leaseMs });
      for (const [index, row] of claimed.entries()) {
        if (stopping) {
          // Shutting down: hand the rest back at once instead of leaving them to their lease.
          await emailsRepo.release(
            db,
            claimed.slice(index).map((r) => r.id),
          );
          return sent;
        }
        if (await deliver(row)) sent += 1;
      }
      if (claimed.length < batchSize) break;
    }
    return sent;
  }

  const loop = createBackgroundLoop({
    name,
    logger: options.logger,
    intervalMs: options.intervalMs,
    pass: sendDue,
  });
  return {
    sendDue,
    start() {
      stopping = false;
      loop.start();
    },
    wake: loop.wake,
    async stop() {
      stopping = true;
      await loop.stop();
    },
  };
}
