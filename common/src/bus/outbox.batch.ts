import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Pool, PoolClient } from 'pg';
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
 * Claims the due rows, oldest first, for this transaction; `null` when another relay of the
 * database is draining. One drainer at a time per database keeps replicas from interleaving
 * batches out of order; the lock ends with the transaction, so another replica takes over at once
 * after a crash.
 */
async function claimRows(client: PoolClient, batchSize: number): Promise<PendingRow[] | null> {
  // One round trip: the lock is tried once (a volatile CTE is evaluated once), then the rows.
  // A locked drainer with no due row is one row of nulls beside `locked`.
  const { rows } = await client.query<{ locked: boolean } & ({ id: null } | PendingRow)>(
    `with drainer as (select pg_try_advisory_xact_lock($1) as locked)
     select drainer.locked, outbox.id, outbox.subject, outbox.envelope::text as envelope,
            outbox.headers, outbox.attempts
       from drainer
       left join lateral (
              select id, subject, envelope, headers, attempts, created_at
                from outbox
               where drainer.locked and next_attempt_at <= now()
               order by created_at, id
               limit $2
                 for update skip locked
            ) outbox on true
      order by outbox.created_at, outbox.id`,
    [drainLockKey, batchSize],
  );
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

/** Claims, publishes and marks one batch inside `client`'s open transaction. */
async function relayBatch(client: PoolClient, options: BatchOptions): Promise<BatchResult> {
  const rows = await claimRows(client, options.batchSize);
  if (!rows) return { published: 0 };
  const { published, failure } = await publishRows(options, rows);
  // A row is deleted only after its PubAck: a crash republishes at worst, and JetStream drops it.
  if (published.length > 0) {
    await client.query('delete from outbox where id = any($1::uuid[])', [published]);
  }
  const retryInMs = failure ? await reschedule(client, options, failure) : undefined;
  return { published: published.length, retryInMs };
}

/**
 * One batch of the relay in one transaction: claim due rows, publish them, delete the published
 * ones and reschedule the one that failed. A batch that throws is rolled back whole.
 */
export async function publishBatch(options: BatchOptions): Promise<BatchResult> {
  const client = await options.pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const result = await relayBatch(client, options);
    await client.query('commit');
    if (result.published > 0) {
      options.metrics?.published(result.published);
      options.logger.debug({ published: result.published }, 'outbox rows published');
    }
    return result;
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
