import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { NodePgDatabase, NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import { Pool } from 'pg';
import type { PoolConfig } from 'pg';
import type { Logger } from 'pino';

/** Options of {@link createPool}. */
export interface CreatePoolOptions extends Omit<PoolConfig, 'connectionString'> {
  /** Receives errors of idle connections (the pool drops them); without it they are ignored. */
  logger?: Logger;
}

/**
 * A pg connection pool for `url`. Errors of idle connections (e.g. the server restarting) are
 * logged instead of crashing the process.
 */
export function createPool(url: string, options: CreatePoolOptions = {}): Pool {
  const { logger, ...config } = options;
  const pool = new Pool({ connectionString: url, ...config });
  pool.on('error', (err) => logger?.warn({ err }, 'idle Postgres connection failed'));
  return pool;
}

/** A drizzle database over `pool` that knows the tables and relations in `schema`. */
export function createDb<TSchema extends Record<string, unknown>>(
  pool: Pool,
  schema: TSchema,
): NodePgDatabase<TSchema> {
  return drizzle({ client: pool, schema });
}

/** The transaction that a {@link createDb} database with schema `TSchema` hands to its callbacks. */
export type DbTransaction<TSchema extends Record<string, unknown>> = PgTransaction<
  NodePgQueryResultHKT,
  TSchema,
  ExtractTablesWithRelations<TSchema>
>;
