import { createBackgroundLoop, type BackgroundLoop } from '@glotixz/common/db';
import { ticketUpdatedSubject } from '@glotixz/common/events';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { TicketsDb } from '../db/db';
import { ticketsRepo } from '../tickets/tickets.repo';
import { enqueueTicketEvents } from '../tickets/ticket-events';

/** Options of {@link createEventCloser}. */
export interface EventCloserOptions {
  db: TicketsDb;
  logger: Logger;
  /** Pause between passes (`EVENT_CLOSE_INTERVAL_SECONDS`). */
  intervalMs: number;
  /** Listings closed per transaction. Default 200. */
  batchSize?: number;
}

/** The job that closes events at their start. */
export interface EventCloser extends Pick<BackgroundLoop, 'start' | 'stop'> {
  /** Closes every listing and event due now; answers how many listings it closed. */
  closeOnce(): Promise<number>;
}

/**
 * Closes events as they start: every `available` listing of an event whose start has passed
 * becomes `closed` (version + 1, `ticket.updated` through the outbox, in the same transaction),
 * then the event is marked closed once none of its listings is on sale. Reserved listings are left
 * to their orders; released after the start, they close on release. Safe in several replicas:
 * listings are claimed with `FOR UPDATE SKIP LOCKED`, and one locked by a reservation in flight is
 * reconsidered by the next pass.
 */
export function createEventCloser(options: EventCloserOptions): EventCloser {
  const { db, intervalMs } = options;
  const batchSize = options.batchSize ?? 200;
  const logger = options.logger.child({ component: 'event-closer' });

  async function closeOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const closed = await db.transaction(async (tx) => {
        const rows = await ticketsRepo(tx).closeStarted(batchSize);
        await enqueueTicketEvents(tx, ticketUpdatedSubject, rows);
        return rows.length;
      });
      total += closed;
      if (closed < batchSize) break;
    }
    const events = await db.execute(sql`
      update events set closed_at = now()
      where closed_at is null and starts_at <= now()
        and not exists (select 1 from tickets t where t.event_id = events.id and t.status = 'available')`);
    if (total > 0 || (events.rowCount ?? 0) > 0) {
      logger.info({ listings: total, events: events.rowCount }, 'closed started events');
    }
    return total;
  }

  const loop = createBackgroundLoop({
    name: 'event-closer',
    logger: options.logger,
    intervalMs,
    pass: closeOnce,
  });
  return { closeOnce, start: loop.start, stop: loop.stop };
}
