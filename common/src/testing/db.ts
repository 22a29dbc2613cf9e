import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A throwaway database created by {@link createTestDatabase}. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Drops the database, ending connections still open to it. */
  drop(): Promise<void>;
}

/** The admin URL tests create databases with: `TEST_PG_ADMIN_URL`, or the local trust default. */
export function testPgAdminUrl(): string {
  return process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testPgAdminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a random name (`t_<hex>`), so test files can run in parallel. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `t_${randomBytes(8).toString('hex')}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(testPgAdminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdmin((client) => client.query(`drop database if exists ${name} with (force)`)).then(
        () => undefined,
      ),
  };
}
