import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffOptions } from './backoff';
import type { Bus } from './bus';
import type { MessageHeaders } from './message';
import type { OutboxMetrics } from './metrics';

/** What one batch of the relay needs. */
export interface BatchOptions {
  pool: Pool;
  bus: Pick<Bus, 'publishRaw'>;
  logger: Logger;
  batchSize: number;
  backoff: BackoffOptions;
  metrics?: OutboxMetrics;
  hooks?: { afterPublish?: (eventId: string) => void | Promise<void> };
}

/** What a batch did: how many rows it published, and the pause its failure asks for, if any. */
export interface BatchResult {
  published: number;
  retryInMs?: number;
}

interface PendingRow {
  id: string;
  subject: string;
  envelope: string;
  headers: MessageHeaders | null;
  attempts: number;
}

interface FailedPublish {
  row: PendingRow;
  err: unknown;
}

// Any constant works: advisory locks are scoped to the database.
const drainLockKey = '5301884473361180237';

/**
 * Opens the batch's transaction and claims the due rows in it, oldest first; `null` when another
 * relay of the database is draining. One drainer at a time per database keeps replicas from
 * interleaving batches out of order; the lock ends with the transaction, so another replica
 * takes over at once after a crash.
 */
async function beginAndClaim(client: PoolClient, batchSize: number): Promise<PendingRow[] | null> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new Error(`the relay's batch size must be a positive integer (got ${batchSize})`);
  }
  // One round trip for `begin` and the claim: a simple-protocol query of two statements, whose
  // only values are this module's lock key and the integer batch size. The lock is tried once (a
  // volatile CTE is evaluated once), then the rows; a locked drainer with no due row is one row
  // of nulls beside `locked`.
  const results = (await client.query(
    `begin;
     with drainer as (select pg_try_advisory_xact_lock(${drainLockKey}) as locked)
     select drainer.locked, outbox.id, outbox.subject, outbox.envelope::text as envelope,
            outbox.headers, outbox.attempts
       from drainer
       left join lateral (
              select id, subject, envelope, headers, attempts, created_at
                from outbox
               where drainer.locked and next_attempt_at <= now()
               order by created_at, id
               limit ${batchSize}
                 for update skip locked
            ) outbox on true
      order by outbox.created_at, outbox.id`,
  )) as unknown as [QueryResult, QueryResult<{ locked: boolean } & ({ id: null } | PendingRow)>];
  const { rows } = results[1];
  if (!rows[0]?.locked) return null;
  return rows.flatMap(({ locked: _locked, ...row }) => (row.id === null ? [] : [row]));
}

/**
 * Publishes the rows through the bus's one publish path, each with `msgID` = event id, sending
 * them all in order before awaiting any PubAck, then reads the acks in order. A row's trace
 * context (captured at enqueue) is the parent of its publish span, never the relay's own context.
 * Answers every acked row, and the first that failed, if any. Rows sent after a failed one may be
 * acked too, and are stored behind it in the stream's order ahead of its retry: they are answered
 * as published (and deleted), since republishing them could not put them back in order.
 */
async function publishRows(
  options: BatchOptions,
  rows: PendingRow[],
): Promise<{ published: string[]; failure?: FailedPublish }> {
  const sent = rows.map((row) =>
    options.bus.publishRaw(row.subject, row.envelope, {
      msgID: row.id,
      headers: row.headers ?? undefined,
      parent: ROOT_CONTEXT,
    }),
  );
  const acks = await Promise.allSettled(sent);
  const published: string[] = [];
  let failure: FailedPublish | undefined;
  for (const [index, ack] of acks.entries()) {
    const row = rows[index];
    if (!row) continue;
    if (ack.status === 'rejected') {
      failure ??= { row, err: ack.reason };
      continue;
    }
    published.push(row.id);
    await options.hooks?.afterPublish?.(row.id);
  }
  return { published, failure };
}

/** Reschedules the row that failed with backoff; answers the delay. */
async function reschedule(
  client: PoolClient,
  options: BatchOptions,
  failure: FailedPublish,
): Promise<number> {
  const { row, err } = failure;
  options.metrics?.publishFailed();
  const retryInMs = backoffDelay(row.attempts + 1, options.backoff);
  const message = err instanceof Error ? err.message : String(err);
  await client.query(
    `update outbox
        set attempts = attempts + 1,
            next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
            last_error = $3
      where id = $1`,
    [row.id, retryInMs, message],
  );
  options.logger.warn(
    { eventId: row.id, subject: row.subject, attempts: row.attempts + 1, retryInMs, err },
    'outbox publish failed; will retry',
  );
  return retryInMs;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Deletes the published rows and commits: one round trip when no publish failed (the ids, read
 * from the table's uuid column, written into the statement as an array literal), else the delete,
 * the failed row's new schedule and the commit. A row is deleted only after its PubAck: a crash
 * republishes at worst, and JetStream drops the repeat.
 */
async function finishBatch(
  client: PoolClient,
  options: BatchOptions,
  published: string[],
  failure: FailedPublish | undefined,
): Promise<number | undefined> {
  if (!failure) {
    if (!published.every((id) => UUID.test(id))) throw new Error('an outbox row id is not a uuid');
    await client.query(`delete from outbox where id = any('{${published.join(',')}}'::uuid[]); commit`);
    return undefined;
  }
  if (published.length > 0) {
    await client.query('delete from outbox where id = any($1::uuid[])', [published]);
  }
  const retryInMs = await reschedule(client, options, failure);
  await client.query('commit');
  return retryInMs;
}

/**
 * One batch of the relay in one transaction: claim due rows, publish them, delete the published
 * ones and reschedule the one that failed. A batch that throws is rolled back whole.
 */
export async function publishBatch(options: BatchOptions): Promise<BatchResult> {
  const client = await options.pool.connect();
  let broken: Error | undefined;
  try {
    const rows = await beginAndClaim(client, options.batchSize);
    if (!rows || rows.length === 0) {
      await client.query('commit');
      return { published: 0 };
    }
    const { published, failure } = await publishRows(options, rows);
    const retryInMs = await finishBatch(client, options, published, failure);
    if (published.length > 0) {
      options.metrics?.published(published.length);
      options.logger.debug({ published: published.length }, 'outbox rows published');
    }
    return { published: published.length, retryInMs };
  } catch (err) {
    try {
      await client.query('rollback');
    } catch (rollbackErr) {
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
    }
    throw err;
  } finally {
    client.release(broken);
  }
}
