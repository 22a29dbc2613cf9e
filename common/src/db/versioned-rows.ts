import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** A database or transaction that runs raw SQL: drizzle's node-postgres `execute`. */
export interface SqlExecutor {
  execute(query: SQL): Promise<{ rows: unknown[] }>;
}

/**
 * The `version` of the row `id` of `table` (a replica table with `id` and `version` columns),
 * locked until the transaction ends, or `null` when there is no such row: what a consumer declared
 * with `order: 'version'` reads as its `currentVersion` (I3). The lock holds a concurrent delivery
 * of the next version until this one commits.
 */
export async function lockVersion(db: SqlExecutor, table: PgTable, id: string): Promise<number | null> {
  const { rows } = await db.execute(sql`select version from ${table} where id = ${id} for update`);
  const row = rows[0] as { version: number | string } | undefined;
  return row === undefined ? null : Number(row.version);
}
