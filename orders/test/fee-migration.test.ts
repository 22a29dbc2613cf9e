import { runMigrations } from '@glotixz/common/db';
import { createTestDatabase, type TestDatabase } from '@glotixz/common/testing';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { migrationsFolder } from '../src/db/migrate';

/** The migrations up to, not including, the one that added fees: a database from before it. */
async function migrationsBefore(tag: string, into: string): Promise<void> {
  await cp(migrationsFolder, into, { recursive: true });
  const journalPath = path.join(into, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((entry) => entry.tag === tag);
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  await writeFile(journalPath, JSON.stringify(journal));
}

describe('the migration that adds fees', () => {
  let database: TestDatabase;
  let pool: Pool;
  let older: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new Pool({ connectionString: database.url });
    older = await mkdtemp(path.join(tmpdir(), 'orders-migrations-'));
    await migrationsBefore('0006_order_fees', older);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
    await rm(older, { recursive: true, force: true });
  });

  it('backfills existing orders with fee 0 and total = price, then holds total = price + fee', async () => {
    await runMigrations(pool, older);
    const ticketId = randomUUID();
    const orderId = randomUUID();
    await pool.query(
      `insert into tickets (id, title, price, currency, user_id, status, version)
       values ($1, 'Old show', 4200, 'eur', $2, 'reserved', 1)`,
      [ticketId, randomUUID()],
    );
    await pool.query(
      `insert into orders (id, user_id, ticket_id, status, title, price, currency, expires_at)
       values ($1, $2, $3, 'awaiting_payment', 'Old show', 4200, 'eur', now() + interval '10 minutes')`,
      [orderId, randomUUID(), ticketId],
    );

    await runMigrations(pool, migrationsFolder);

    const { rows } = await pool.query<{ price: string; fee: string; total: string }>(
      'select price, fee, total from orders where id = $1',
      [orderId],
    );
    expect(rows).toEqual([{ price: '4200', fee: '0', total: '4200' }]);
    await expect(pool.query('update orders set total = 4201 where id = $1', [orderId])).rejects.toMatchObject(
      {
        constraint: 'orders_total_is_price_plus_fee',
      },
    );
    await expect(
      pool.query('update orders set fee = -1, total = 4199 where id = $1', [orderId]),
    ).rejects.toMatchObject({
      constraint: 'orders_fee_nonnegative',
    });
  });
});
