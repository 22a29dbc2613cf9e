import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { backoffDelay } from './backoff';
import type { BackoffOptions } from './backoff';
import type { Bus } from './bus';
import type { OutboxBacklog, OutboxMetrics } from './metrics';
import { publishBatch, type BatchOptions } from './outbox.batch';
import { OutboxListener } from './outbox.listener';
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
  /** Fault injection for tests: runs after each PubAck (read in order), before the batch commits. */
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

const defaultBackoff: BackoffOptions = { baseMs: 500, capMs: 30_000 };

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

/**
 * The relay's loop: drains when woken (a notification, a resume, the poll), pauses after a failed
 * publish for its backoff, and otherwise sleeps until the next poll or wake-up.
 */
class RelayLoop {
  private stopped = false;
  private wakeRequested = true;
  private resumeRequested = false;
  private wakeUp: (() => void) | undefined;
  private failures = 0;
  readonly done: Promise<void>;

  constructor(
    private readonly batch: BatchOptions,
    private readonly pollIntervalMs: number,
  ) {
    this.done = this.run();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  resume(): void {
    this.resumeRequested = true;
    this.wake();
  }

  /** Ends the loop after the batch in progress; resolves when it has. */
  stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    return this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const pauseMs = this.wakeRequested ? await this.drainOnce() : undefined;
      if (this.stopped) break;
      if (pauseMs !== undefined) {
        // A resume that came while the batch ran ends the pause before it starts.
        if (!this.resumeRequested) await this.sleep(pauseMs, false);
        this.wakeRequested = true;
      } else if (!this.wakeRequested) {
        await this.sleep(this.pollIntervalMs, true);
        this.wakeRequested = true;
      }
    }
  }

  /** Drains once; answers how long to pause before the next try, if a publish failed. */
  private async drainOnce(): Promise<number | undefined> {
    this.wakeRequested = false;
    try {
      if (this.resumeRequested) {
        this.resumeRequested = false;
        this.failures = 0;
        await this.clearBackoff();
      }
      const pauseMs = await this.drain();
      this.failures = 0;
      return pauseMs;
    } catch (err) {
      this.failures += 1;
      const pauseMs = backoffDelay(this.failures, this.batch.backoff);
      this.batch.logger.error({ err, retryInMs: pauseMs }, 'outbox drain failed');
      return pauseMs;
    }
  }

  /** Publishes batches until the outbox has no due row, a publish fails, or the relay stops. */
  private async drain(): Promise<number | undefined> {
    for (;;) {
      const { published, retryInMs } = await publishBatch(this.batch);
      if (retryInMs !== undefined) return retryInMs;
      if (published < this.batch.batchSize || this.stopped) return undefined;
    }
  }

  /** Makes every row waiting out a backoff due now, so the next batch takes them in order. */
  private async clearBackoff(): Promise<void> {
    const { rowCount } = await this.batch.pool.query(
      'update outbox set next_attempt_at = now() where next_attempt_at > now()',
    );
    if (rowCount) this.batch.logger.info({ rows: rowCount }, 'broker back: retrying the outbox now');
  }

  /** Waits `ms`; a wake-up ends it early if `interruptible`, a stop or resume always does. */
  private sleep(ms: number, interruptible: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = () => {
        if (interruptible || this.stopped || this.resumeRequested) done();
      };
    });
  }
}

/**
 * Starts the outbox relay (I1). It listens for `NOTIFY` on `channel` and polls every
 * `pollIntervalMs`; each time it drains the outbox in batches: lock pending rows oldest first
 * (`FOR UPDATE SKIP LOCKED`), publish them through the bus's one publish path (`msgID` = event
 * id, the row's trace context), pipelined: every row of the batch is sent, in order, before the
 * PubAcks are awaited, in order. Then one statement deletes the acked rows in the same
 * transaction. A row is deleted only after its PubAck, so a crash republishes at worst, and
 * JetStream drops the repeat. One relay per database drains at a time (an advisory lock), so
 * events leave in `created_at` order. Notifications that arrive while a drain runs are coalesced
 * into one more drain. When a publish fails, the row is rescheduled with backoff and this relay
 * pauses until then. Rows of the same batch sent after it that were acked are deleted: they are
 * already stored ahead of the failed row, which reaches the stream after them, as later rows
 * another replica publishes during the pause may. Consumers order by aggregate version (I3): the
 * successor of a late event waits for it.
 */
export async function startOutboxRelay(options: OutboxRelayOptions): Promise<OutboxRelay> {
  const channel = options.channel ?? defaultOutboxChannel;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 100;
  const logger = options.logger.child({ component: 'outbox-relay' });
  const batch: BatchOptions = {
    pool: options.pool,
    bus: options.bus,
    logger,
    batchSize,
    backoff: options.backoff ?? defaultBackoff,
    metrics: options.metrics,
    hooks: options.hooks,
  };
  const running = new RelayLoop(batch, pollIntervalMs);
  // Each (re)connect of the listener wakes the loop once: what was sent before it listened is drained.
  const listener = new OutboxListener(options.pool, channel, logger, () => running.wake());
  await listener.start();
  logger.info({ channel, pollIntervalMs, batchSize }, 'outbox relay started');

  return {
    wake: () => running.wake(),
    resume: () => running.resume(),
    backlog: () => readOutboxBacklog(options.pool),
    stop: async () => {
      if (running.isStopped) return running.done;
      listener.stop();
      await running.stop();
      logger.info('outbox relay stopped');
    },
  };
}
