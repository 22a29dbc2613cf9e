import { Client } from 'pg';

/** Runs `sql` on the database at `url` (one short-lived connection) and answers the rows. */
export async function queryRows<T>(
  url: string | undefined,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (!url) throw new Error('this system has no such database');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Answers `select count(*)` of a table, optionally filtered by a `where` clause. */
export async function countRows(
  url: string | undefined,
  table: string,
  where = 'true',
  params: unknown[] = [],
): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    url,
    `select count(*)::int as n from ${table} where ${where}`,
    params,
  );
  return row?.n ?? 0;
}
