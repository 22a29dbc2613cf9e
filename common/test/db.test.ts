import { join } from 'node:path';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { Client } from 'pg';
import { createDb, createPool, isUniqueViolation, runMigrations } from '../src/db';
import { createTestDatabase } from '../src/testing/db';
import type { TestDatabase } from '../src/testing/db';

const migrationsFolder = join(__dirname, 'fixtures', 'migrations');

const widgets = pgTable('widgets', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
});

let database: TestDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  await database.drop();
});

describe('runMigrations()', () => {
  it('applies each migration once when replicas start together', async () => {
    const pools = [1, 2, 3, 4].map(() => createPool(database.url, { max: 2 }));
    try {
      await Promise.all(pools.map((pool) => runMigrations(pool, migrationsFolder)));
      await runMigrations(pools[0]!, migrationsFolder);

      const applied = await pools[0]!.query('select hash from drizzle.__drizzle_migrations');
      expect(applied.rowCount).toBe(2);
      const indexes = await pools[0]!.query(`select indexname from pg_indexes where tablename = 'widgets'`);
      expect(indexes.rows.map((r: { indexname: string }) => r.indexname).sort()).toEqual([
        'widgets_name_key',
        'widgets_pkey',
      ]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});

describe('isUniqueViolation()', () => {
  it('recognises unique violations from pg and from drizzle, by constraint', async () => {
    const pool = createPool(database.url);
    try {
      await runMigrations(pool, migrationsFolder);
      const db = createDb(pool, { widgets });
      await db.insert(widgets).values({ id: 1, name: 'a' });

      const fromDrizzle = await db
        .insert(widgets)
        .values({ id: 2, name: 'a' })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      const fromPg = await pool.query(`insert into widgets (id, name) values (1, 'b')`).then(
        () => undefined,
        (err: unknown) => err,
      );
      const notUnique = await pool.query(`insert into widgets (id, name) values (3, null)`).then(
        () => undefined,
        (err: unknown) => err,
      );

      expect(isUniqueViolation(fromDrizzle)).toBe(true);
      expect(isUniqueViolation(fromDrizzle, 'widgets_name_key')).toBe(true);
      expect(isUniqueViolation(fromDrizzle, 'widgets_pkey')).toBe(false);
      expect(isUniqueViolation(fromPg, 'widgets_pkey')).toBe(true);
      expect(isUniqueViolation(notUnique)).toBe(false);
      expect(isUniqueViolation(new Error('x'))).toBe(false);
      expect(isUniqueViolation(undefined)).toBe(false);
    } finally {
      await pool.end();
    }
  });
});

describe('createTestDatabase()', () => {
  it('drops its database even while connections are open', async () => {
    const extra = await createTestDatabase();
    const client = new Client({ connectionString: extra.url });
    client.on('error', () => undefined);
    await client.connect();

    await extra.drop();

    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [extra.name]);
      expect(rowCount).toBe(0);
    } finally {
      await admin.end();
      await client.end().catch(() => undefined);
    }
  });
});
