import type { Pool } from 'pg';
import type { Logger } from 'pino';

/** Options of {@link startTablePruner}. */
export interface TablePrunerOptions {
  pool: Pool;
  logger: Logger;
  /** The table, and its timestamp column that tells a row's age. Trusted names, never input. */
  table: string;
  column: string;
  /** Rows older than this are deleted. */
  retentionMs: number;
  /** How often to prune. Default 1 hour. */
  intervalMs?: number;
  /** Rows deleted per statement, so a large backlog never holds long locks. Default 5000. */
  batchSize?: number;
}

/** A running pruner. */
export interface TablePruner {
  /** Prunes now (or joins the prune in progress); answers the rows deleted. */
  prune(): Promise<number>;
  /** Stops the timer and waits for a prune in progress. */
  stop(): Promise<void>;
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/**
 * Deletes rows whose `column` is older than the retention, in batches, at start and then every
 * `intervalMs`: for bookkeeping tables (the inbox, records of seen orders) that are only needed
 * while a message about them could still arrive, and would otherwise grow forever.
 */
export function startTablePruner(options: TablePrunerOptions): TablePruner {
  const { table, column } = options;
  if (!identifier.test(table) || !identifier.test(column)) throw new Error(`invalid name ${table}.${column}`);
  const batchSize = options.batchSize ?? 5000;
  const logger = options.logger.child({ component: 'pruner', table });
  let running: Promise<number> | undefined;

  const pruneOnce = async (): Promise<number> => {
    let deleted = 0;
    for (;;) {
      const { rowCount } = await options.pool.query(
        `delete from ${table}
          where ctid = any(array(
                select ctid from ${table}
                 where ${column} < now() - make_interval(secs => $1::double precision / 1000)
                 limit $2))`,
        [options.retentionMs, batchSize],
      );
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < batchSize) break;
    }
    if (deleted > 0) logger.info({ deleted }, 'pruned old rows');
    return deleted;
  };
  const prune = (): Promise<number> => {
    running ??= pruneOnce().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => {
    prune().catch((err: unknown) => logger.warn({ err }, 'prune failed; retrying next time'));
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
