import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgDatabase, PgInsertValue, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core';

/** A database or transaction that runs raw SQL: drizzle's node-postgres `execute`. */
export interface SqlExecutor {
  execute(query: SQL): Promise<{ rows: unknown[] }>;
}

/**
 * The `version` of the row `id` of `table` (a replica table with `id` and `version` columns),
 * locked until the transaction ends, or `null` when there is no such row: what a consumer declared
 * with `order: 'version'` is ordered against (I3). The lock holds a concurrent delivery
 * of the next version until this one commits.
 */
export async function lockVersion(db: SqlExecutor, table: PgTable, id: string): Promise<number | null> {
  const { rows } = await db.execute(sql`select version from ${table} where id = ${id} for update`);
  const row = rows[0] as { version: number | string } | undefined;
  return row === undefined ? null : Number(row.version);
}

/** A table whose rows are keyed by an `id` column: every replica table. */
export type TableWithId = PgTable & { id: PgColumn };

/**
 * Inserts the first copy of an aggregate into its replica table: `false`, and nothing written,
 * when the table has a row with this `id` already (a repeat of the event that created it, under
 * another event id than the inbox knows).
 */
export async function insertFirst<T extends TableWithId>(
  db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>,
  table: T,
  values: PgInsertValue<T>,
): Promise<boolean> {
  const inserted = await db
    .insert(table)
    .values(values)
    .onConflictDoNothing({ target: table.id })
    .returning({ id: table.id });
  return inserted.length > 0;
}
