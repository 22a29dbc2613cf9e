import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Pool } from 'pg';

/** Options of {@link runMigrations}. */
export interface RunMigrationsOptions {
  /** The table that records applied migrations. Drizzle's default `__drizzle_migrations`. */
  migrationsTable?: string;
  /** The schema of that table. Drizzle's default `drizzle`. */
  migrationsSchema?: string;
}

// Any constant works: advisory locks are scoped to the database.
const migrationLockKey = 7_240_416_190_571_238n;

/**
 * Applies the drizzle-kit migrations in `migrationsFolder` that the database lacks. Holds a
 * Postgres advisory lock while doing so, so replicas starting together apply each migration once.
 */
export async function runMigrations(
  pool: Pool,
  migrationsFolder: string,
  options: RunMigrationsOptions = {},
): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('select pg_advisory_lock($1)', [migrationLockKey.toString()]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder, ...options });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [migrationLockKey.toString()]);
    }
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.release(broken);
  }
}
