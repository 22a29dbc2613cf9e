import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { DbTransaction } from '../db/pool';
import { startTablePruner, type TablePruner, type TablePrunerOptions } from '../db/prune';
import type { Envelope } from '../events';
import { inbox } from './outbox.schema';

/** The outcome of {@link handleOnce}. */
export type HandleOnceResult<T> = { duplicate: true } | { duplicate: false; result: T };

/**
 * Runs `fn` at most once per consumer and event (I2); what a declared consumer
 * ({@link consumerTable}) with a database runs its handler in. In one transaction, records
 * `(consumer, envelope.id)` in the inbox and runs `fn` with that transaction; if the pair is
 * already recorded, skips `fn` and answers `{ duplicate: true }`. If `fn` throws, nothing is
 * recorded and the error propagates (so the message is retried).
 */
export async function handleOnce<TSchema extends Record<string, unknown>, T>(
  db: NodePgDatabase<TSchema>,
  consumer: string,
  envelope: Pick<Envelope, 'id'>,
  fn: (tx: DbTransaction<TSchema>) => Promise<T>,
): Promise<HandleOnceResult<T>> {
  return db.transaction((tx) => recordOnce(tx, consumer, envelope, fn));
}

/**
 * {@link handleOnce} inside a transaction the caller opened (a savepoint of a batch): records
 * `(consumer, envelope.id)` in the inbox with `tx` and runs `fn`, or answers `{ duplicate: true }`
 * when the pair is recorded already, by an earlier commit or earlier in `tx`. The caller rolls
 * `tx` back when `fn` throws, so that nothing is recorded.
 */
export async function recordOnce<TSchema extends Record<string, unknown>, T>(
  tx: DbTransaction<TSchema>,
  consumer: string,
  envelope: Pick<Envelope, 'id'>,
  fn: (tx: DbTransaction<TSchema>) => Promise<T>,
): Promise<HandleOnceResult<T>> {
  // A `sql` template, not the query builder: this runs once per message of every consumer, and
  // building the same insert with the builder costs about seven times as much.
  const recorded = await tx.execute(
    sql`insert into ${inbox} (consumer, event_id) values (${consumer}, ${envelope.id})
        on conflict do nothing returning event_id`,
  );
  if (recorded.rows.length === 0) return { duplicate: true };
  return { duplicate: false, result: await fn(tx) };
}

/** Options of {@link startInboxPruner}. */
export type InboxPrunerOptions = Omit<TablePrunerOptions, 'table' | 'column' | 'retentionMs'> & {
  /**
   * How long a handled event's record is kept. It only has to outlive any redelivery or
   * republication of that event (the ack wait times the delivery limit, the two-minute duplicate
   * window, a day of `RetryLater`). Default 7 days.
   */
  retentionMs?: number;
};

/** The inbox's default retention: 7 days. */
export const defaultInboxRetentionMs = 7 * 24 * 60 * 60 * 1000;

/**
 * Deletes inbox records older than the retention, hourly by default, so the table holds about a
 * week of traffic instead of growing forever.
 */
export function startInboxPruner(options: InboxPrunerOptions): TablePruner {
  return startTablePruner({
    ...options,
    table: 'inbox',
    column: 'processed_at',
    retentionMs: options.retentionMs ?? defaultInboxRetentionMs,
  });
}
