import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { backoffDelay } from './backoff';
import type { BackoffOptions } from './backoff';
import type { Bus } from './bus';
import type { MessageHeaders } from './message';
import { publishInSpan } from './bus-tracing';
import type { OutboxBacklog, OutboxMetrics } from './metrics';
import { defaultOutboxChannel } from './outbox.enqueue';

/** Options of {@link startOutboxRelay}. */
export interface OutboxRelayOptions {
  /** The service's pool; the relay holds one of its connections for `LISTEN`. */
  pool: Pool;
  bus: Pick<Bus, 'publishRaw'>;
  logger: Logger;
  /** The `NOTIFY` channel {@link enqueue} uses. Default `outbox`. */
  channel?: string;
  /** Backstop poll for rows whose notification was missed. Default 1 s. */
  pollIntervalMs?: number;
  /** Rows published per transaction. Default 100. */
  batchSize?: number;
  /** Delay after a failed publish, by attempt. Default 500 ms doubling up to 30 s. */
  backoff?: BackoffOptions;
  /** Where published rows and failed publishes are counted; see {@link createOutboxMetrics}. */
  metrics?: OutboxMetrics;
  /** Fault injection for tests: runs after each PubAck, before the batch commits. */
  hooks?: { afterPublish?: (eventId: string) => void | Promise<void> };
}

/** A running outbox relay. */
export interface OutboxRelay {
  /** Asks for a drain now, as a notification would. */
  wake(): void;
  /**
   * Retries at once whatever is waiting out a backoff, oldest first: the broker is back (the bus
   * calls it when NATS reconnects), so a pause chosen while it was away is no longer needed.
   */
  resume(): void;
  /** The current backlog of the outbox. */
  backlog(): Promise<OutboxBacklog>;
  /** Stops listening and polling; waits for the batch in progress to commit or roll back. */
  stop(): Promise<void>;
}

interface PendingRow {
  id: string;
  subject: string;
  envelope: string;
  headers: MessageHeaders | null;
  attempts: number;
}

const defaultBackoff: BackoffOptions = { baseMs: 500, capMs: 30_000 };
const listenRetryMs = 1_000;
// Any constant works: advisory locks are scoped to the database.
const drainLockKey = '5301884473361180237';

/** Reads the backlog of the outbox table behind `pool`. */
export async function readOutboxBacklog(pool: Pool): Promise<OutboxBacklog> {
  const { rows } = await pool.query<{ count: string; oldest_age_ms: number | null }>(
    `select count(*) as count,
            extract(epoch from (now() - min(created_at))) * 1000 as oldest_age_ms
       from outbox`,
  );
  const row = rows[0];
  return {
    count: Number(row?.count ?? 0),
    oldestAgeMs: row?.oldest_age_ms == null ? null : Math.max(0, Math.round(Number(row.oldest_age_ms))),
  };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Starts the outbox relay (I1). It listens for `NOTIFY` on `channel` and polls every
 * `pollIntervalMs`; each time it drains the outbox in batches: lock pending rows oldest first
 * (`FOR UPDATE SKIP LOCKED`), publish each with `msgID` = event id and
 * wait for the PubAck, then delete the published rows in the same transaction. A row is deleted
 * only after its PubAck, so a crash republishes at worst, and JetStream drops the repeat.
 * One relay per database drains at a time (an advisory lock), so events leave in `created_at`
 * order. When a publish fails the batch stops there, the row is rescheduled with backoff and this
 * relay pauses until then; the row is retried before later ones (another replica may publish
 * later rows during that pause; consumers order by aggregate version, I3).
 */
export async function startOutboxRelay(options: OutboxRelayOptions): Promise<OutboxRelay> {
  const { pool, bus } = options;
  const channel = options.channel ?? defaultOutboxChannel;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 100;
  const backoff = options.backoff ?? defaultBackoff;
  const logger = options.logger.child({ component: 'outbox-relay' });

  let stopped = false;
  let wakeRequested = true;
  let resumeRequested = false;
  let wakeUp: (() => void) | undefined;
  let listener: PoolClient | undefined;
  let listenTimer: NodeJS.Timeout | undefined;

  function wake(): void {
    wakeRequested = true;
    wakeUp?.();
  }

  function resume(): void {
    resumeRequested = true;
    wake();
  }

  /** Makes every row waiting out a backoff due now, so the next batch takes them in order. */
  async function clearBackoff(): Promise<void> {
    const { rowCount } = await pool.query(
      'update outbox set next_attempt_at = now() where next_attempt_at > now()',
    );
    if (rowCount) logger.info({ rows: rowCount }, 'broker back: retrying the outbox now');
  }

  function sleep(ms: number, interruptible: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = () => {
        if (interruptible || stopped || resumeRequested) done();
      };
    });
  }

  function dropListener(err?: Error): void {
    const client = listener;
    listener = undefined;
    if (!client) return;
    client.removeAllListeners('notification');
    client.release(err ?? true);
  }

  function scheduleListen(): void {
    if (stopped || listenTimer) return;
    listenTimer = setTimeout(() => {
      listenTimer = undefined;
      listen().catch((err: unknown) => {
        logger.error({ err }, 'outbox LISTEN failed; retrying');
        scheduleListen();
      });
    }, listenRetryMs);
  }

  async function listen(): Promise<void> {
    const client = await pool.connect();
    if (stopped) {
      client.release();
      return;
    }
    listener = client;
    client.on('notification', () => wake());
    client.on('error', (err: Error) => {
      if (listener !== client) return;
      logger.warn({ err }, 'outbox LISTEN connection lost; reconnecting');
      dropListener(err);
      scheduleListen();
    });
    try {
      await client.query(`listen ${quoteIdent(channel)}`);
    } catch (err) {
      if (listener === client) dropListener(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
    // Notifications sent while we were not listening are lost: look at the table once.
    wake();
  }

  async function publishBatch(): Promise<{ published: number; retryInMs?: number }> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      // One drainer at a time per database keeps replicas from interleaving batches out of order;
      // the lock ends with the transaction, so another replica takes over at once after a crash.
      const { rows: locked } = await client.query<{ locked: boolean }>(
        'select pg_try_advisory_xact_lock($1) as locked',
        [drainLockKey],
      );
      if (!locked[0]?.locked) {
        await client.query('commit');
        return { published: 0 };
      }
      const { rows } = await client.query<PendingRow>(
        `select id, subject, envelope::text as envelope, headers, attempts
           from outbox
          where next_attempt_at <= now()
          order by created_at, id
          limit $1
            for update skip locked`,
        [batchSize],
      );
      const published: string[] = [];
      let failure: { row: PendingRow; err: unknown } | undefined;
      for (const row of rows) {
        try {
          // The row's trace context (captured at enqueue) is the parent of the publish span.
          await publishInSpan(
            row.subject,
            row.id,
            row.headers ?? undefined,
            (headers) => bus.publishRaw(row.subject, row.envelope, { msgID: row.id, headers }),
            ROOT_CONTEXT,
          );
        } catch (err) {
          failure = { row, err };
          break;
        }
        published.push(row.id);
        await options.hooks?.afterPublish?.(row.id);
      }
      if (published.length > 0) {
        await client.query('delete from outbox where id = any($1::uuid[])', [published]);
      }
      let retryInMs: number | undefined;
      if (failure) {
        options.metrics?.publishFailed();
        retryInMs = backoffDelay(failure.row.attempts + 1, backoff);
        const message = failure.err instanceof Error ? failure.err.message : String(failure.err);
        await client.query(
          `update outbox
              set attempts = attempts + 1,
                  next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
                  last_error = $3
            where id = $1`,
          [failure.row.id, retryInMs, message],
        );
        logger.warn(
          {
            eventId: failure.row.id,
            subject: failure.row.subject,
            attempts: failure.row.attempts + 1,
            retryInMs,
            err: failure.err,
          },
          'outbox publish failed; will retry',
        );
      }
      await client.query('commit');
      if (published.length > 0) options.metrics?.published(published.length);
      if (published.length > 0) logger.debug({ published: published.length }, 'outbox rows published');
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

  async function drain(): Promise<number | undefined> {
    for (;;) {
      const { published, retryInMs } = await publishBatch();
      if (retryInMs !== undefined) return retryInMs;
      if (published < batchSize || stopped) return undefined;
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopped) {
      let pauseMs: number | undefined;
      if (wakeRequested) {
        wakeRequested = false;
        try {
          if (resumeRequested) {
            resumeRequested = false;
            failures = 0;
            await clearBackoff();
          }
          pauseMs = await drain();
          failures = 0;
        } catch (err) {
          failures += 1;
          pauseMs = backoffDelay(failures, backoff);
          logger.error({ err, retryInMs: pauseMs }, 'outbox drain failed');
        }
      }
      if (stopped) break;
      if (pauseMs !== undefined) {
        // A resume that came while the batch ran ends the pause before it starts.
        if (!resumeRequested) await sleep(pauseMs, false);
        wakeRequested = true;
      } else if (!wakeRequested) {
        await sleep(pollIntervalMs, true);
        wakeRequested = true;
      }
    }
  }

  try {
    await listen();
  } catch (err) {
    logger.error({ err }, 'outbox LISTEN failed; relying on polling until it reconnects');
    scheduleListen();
  }
  const loop = run();
  logger.info({ channel, pollIntervalMs, batchSize }, 'outbox relay started');

  return {
    wake,
    resume,
    backlog: () => readOutboxBacklog(pool),
    stop: async () => {
      if (stopped) return loop;
      stopped = true;
      clearTimeout(listenTimer);
      wakeUp?.();
      dropListener();
      await loop;
      logger.info('outbox relay stopped');
    },
  };
}
