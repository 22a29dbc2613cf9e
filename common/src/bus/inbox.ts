import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { DbTransaction } from '../db/pool';
import type { Envelope, Subject } from '../events';
import type { EventHandler, MessageContext } from './consume';
import { inbox } from './outbox.schema';

/** The outcome of {@link handleOnce}. */
export type HandleOnceResult<T> = { duplicate: true } | { duplicate: false; result: T };

/**
 * Runs `fn` at most once per consumer and event (I2). In one transaction, records
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
  return db.transaction(async (tx): Promise<HandleOnceResult<T>> => {
    const recorded = await tx
      .insert(inbox)
      .values({ consumer, eventId: envelope.id })
      .onConflictDoNothing()
      .returning({ eventId: inbox.eventId });
    if (recorded.length === 0) return { duplicate: true };
    return { duplicate: false, result: await fn(tx) };
  });
}

/** A handler that runs inside an inbox transaction; see {@link inboxHandler}. */
export type TransactionalEventHandler<S extends Subject, TSchema extends Record<string, unknown>> = (
  envelope: Envelope<S>,
  tx: DbTransaction<TSchema>,
  context: MessageContext,
) => Promise<void>;

/**
 * Turns a transactional handler into a {@link EventHandler} for {@link Bus.consume} that handles
 * each event once per consumer (the durable name is the inbox key) and acks repeats.
 */
export function inboxHandler<S extends Subject, TSchema extends Record<string, unknown>>(
  db: NodePgDatabase<TSchema>,
  handler: TransactionalEventHandler<S, TSchema>,
): EventHandler<S> {
  return async (envelope, context) => {
    const outcome = await handleOnce(db, context.consumer, envelope, (tx) => handler(envelope, tx, context));
    if (outcome.duplicate) {
      context.markDuplicate();
      context.logger.debug('duplicate event skipped');
    }
  };
}

/** Options of {@link startInboxPruner}. */
export interface InboxPrunerOptions {
  /** The pool of the database holding the inbox table. */
  pool: Pool;
  logger: Logger;
  /**
   * How long a handled event's record is kept. It only has to outlive any redelivery or
   * republication of that event (the ack wait times the delivery limit, the two-minute duplicate
   * window): minutes. Default 7 days.
   */
  retentionMs?: number;
  /** How often to prune. Default 1 hour. */
  intervalMs?: number;
  /** Rows deleted per statement, so a large backlog never holds long locks. Default 5000. */
  batchSize?: number;
}

/** A running inbox pruner. */
export interface InboxPruner {
  /** Prunes now; answers the rows deleted. */
  prune(): Promise<number>;
  /** Stops the timer and waits for a prune in progress. */
  stop(): Promise<void>;
}

/** The inbox's default retention: 7 days. */
export const defaultInboxRetentionMs = 7 * 24 * 60 * 60 * 1000;

/**
 * Deletes inbox records older than the retention, in batches, now and then every `intervalMs`,
 * so the table stays the size of a week of traffic instead of growing forever.
 */
export function startInboxPruner(options: InboxPrunerOptions): InboxPruner {
  const retentionMs = options.retentionMs ?? defaultInboxRetentionMs;
  const batchSize = options.batchSize ?? 5000;
  const logger = options.logger.child({ component: 'inbox-pruner' });
  let running: Promise<number> | undefined;

  const pruneOnce = async (): Promise<number> => {
    let deleted = 0;
    for (;;) {
      const { rowCount } = await options.pool.query(
        `delete from inbox
          where (consumer, event_id) in (
                select consumer, event_id from inbox
                 where processed_at < now() - make_interval(secs => $1::double precision / 1000)
                 limit $2)`,
        [retentionMs, batchSize],
      );
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < batchSize) break;
    }
    if (deleted > 0) logger.info({ deleted }, 'pruned the inbox');
    return deleted;
  };
  const prune = (): Promise<number> => {
    running ??= pruneOnce().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => {
    prune().catch((err: unknown) => logger.warn({ err }, 'inbox prune failed; retrying next time'));
  };
  const timer = setInterval(tick, options.intervalMs ?? 60 * 60 * 1000);
  timer.unref();
  tick();

  return {
    prune,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
