import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { createBackgroundLoop, type BackgroundLoop } from './background-loop';

/** Options of {@link createTablePruner}. */
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

/** A pruner: a background loop whose pass deletes the old rows. */
export interface TablePruner extends BackgroundLoop {
  /** Prunes now (or joins the prune in progress); answers the rows deleted. */
  prune(): Promise<number>;
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/**
 * Creates a pruner that, once started, deletes rows whose `column` is older than the retention,
 * in batches, at start and then every `intervalMs` (a failed pass is retried sooner, with
 * backoff): for bookkeeping tables (the inbox, records of seen orders, expired sessions) that are
 * only needed while a message or request about them could still arrive, and would otherwise grow
 * forever. Safe with several replicas: each batch takes its rows with `FOR UPDATE SKIP LOCKED`,
 * so replicas pruning at once share the backlog instead of waiting on each other's locks.
 */
export function createTablePruner(options: TablePrunerOptions): TablePruner {
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
                 limit $2
                 for update skip locked))`,
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
  const loop = createBackgroundLoop({
    name: `${table}-pruner`,
    logger: options.logger,
    intervalMs: options.intervalMs ?? 60 * 60 * 1000,
    pass: prune,
  });
  return { ...loop, prune };
}

/** Creates a {@link createTablePruner} pruner and starts it. */
export function startTablePruner(options: TablePrunerOptions): TablePruner {
  const pruner = createTablePruner(options);
  pruner.start();
  return pruner;
}
