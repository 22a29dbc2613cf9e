/**
 * Step (c) of the bootstrap: one Postgres database per service, created when missing through the
 * admin connection. Runs after the install step, so it may use `pg`.
 */

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The admin URL with its database replaced by `name`. */
export function databaseUrl(adminUrl, name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates each database that does not exist yet; answers which were created. */
export async function ensureDatabases(adminUrl, names) {
  for (const name of names) {
    if (!DATABASE_NAME.test(name)) throw new Error(`invalid database name: ${name}`);
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  const created = [];
  try {
    for (const name of names) {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (rowCount > 0) continue;
      try {
        await client.query(`create database "${name}"`);
        created.push(name);
      } catch (err) {
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      }
    }
  } finally {
    await client.end();
  }
  return created;
}
