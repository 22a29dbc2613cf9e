/**
 * Runs the CloudNativePG Cluster's bootstrap, as the operator runs it (the initdb owner's role,
 * postInitSQL in `postgres`, the application database, postInitApplicationSQL in it), on the
 * real local Postgres, with every role and database name prefixed so parallel runs and the
 * server's other databases are untouched; then checks that each service's role reaches its own
 * database and no other. Roles here log in without the passwords CloudNativePG would set (the
 * local server trusts), which leaves exactly what is under test: the CONNECT privileges.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { buildOverlay, get } from './lib/manifests';

const adminUrl = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const owners = ['auth', 'tickets', 'orders', 'payments', 'notifications'];

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const urlOf = (user: string, database: string) => {
  const url = new URL(adminUrl);
  url.username = user;
  url.password = '';
  url.pathname = `/${database}`;
  return url.toString();
};

describe.each(['staging', 'production'] as const)(
  'the CloudNativePG bootstrap of %s on Postgres',
  (overlay) => {
    const { initdb } = get(buildOverlay(overlay), 'Cluster', 'postgres').spec.bootstrap;
    const prefix = `cnpg_${randomBytes(4).toString('hex')}_`;
    const named = (sql: string) =>
      sql.replace(new RegExp(`\\b(${owners.join('|')})\\b`, 'g'), (name) => `${prefix}${name}`);
    /** The SQLSTATE a role's connection to a database ends with, or 'ok'. */
    const connectAs = (role: string, database: string) =>
      withClient(urlOf(`${prefix}${role}`, `${prefix}${database}`), async (c) => {
        await c.query('select 1');
        return 'ok';
      }).catch((error: Error & { code?: string }) => error.code ?? error.message);

    beforeAll(async () => {
      await withClient(adminUrl, async (admin) => {
        await admin.query(named(`CREATE ROLE ${initdb.owner} LOGIN`));
        for (const sql of initdb.postInitSQL as string[]) await admin.query(named(sql));
        await admin.query(named(`CREATE DATABASE ${initdb.database} OWNER ${initdb.owner}`));
      });
      await withClient(urlOf(new URL(adminUrl).username, `${prefix}${initdb.database}`), async (app) => {
        for (const sql of initdb.postInitApplicationSQL as string[]) await app.query(named(sql));
      });
    });

    afterAll(async () => {
      await withClient(adminUrl, async (admin) => {
        for (const name of owners) await admin.query(`DROP DATABASE IF EXISTS ${prefix}${name} WITH (FORCE)`);
        for (const name of owners) await admin.query(`DROP ROLE IF EXISTS ${prefix}${name}`);
      });
    });

    it('makes one database per service, owned by its role', async () => {
      const rows = await withClient(adminUrl, (admin) =>
        admin.query<{ datname: string; owner: string }>(
          `SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname LIKE $1 ORDER BY 1`,
          [`${prefix}%`],
        ),
      );
      expect(rows.rows).toEqual(
        [...owners].sort().map((o) => ({ datname: `${prefix}${o}`, owner: `${prefix}${o}` })),
      );
    });

    it("lets each service's role into its own database and refuses it every other (42501)", async () => {
      for (const role of owners)
        for (const database of owners)
          expect([role, database, await connectAs(role, database)]).toEqual([
            role,
            database,
            role === database ? 'ok' : '42501',
          ]);
    });
  },
);
