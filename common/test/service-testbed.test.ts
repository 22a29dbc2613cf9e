import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { Client } from 'pg';
import type { TicketCreatedData } from '../src/events';
import { verifyUserToken } from '../src/express/jwt';
import { testPgAdminUrl } from '../src/testing/db';
import { connectTestBus } from '../src/testing/nats';
import { createServiceTestbed, type ServiceTestbed } from '../src/testing/service-testbed';

const migrationsFolder = join(__dirname, 'fixtures', 'migrations');
const schema = {
  widgets: pgTable('widgets', { id: integer('id').primaryKey(), name: text('name').notNull() }),
};

const ticket = (): TicketCreatedData => ({
  id: randomUUID(),
  title: 'Concert',
  price: 2500,
  currency: 'usd',
  userId: randomUUID(),
  orderId: null,
  version: 0,
});

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: testPgAdminUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('createServiceTestbed()', () => {
  let testbed: ServiceTestbed<typeof schema>;
  beforeAll(async () => {
    testbed = await createServiceTestbed({ migrationsFolder, schema, poolSize: 2 });
  });
  afterAll(async () => {
    await testbed.close();
  });

  it('migrates a random database that drizzle can use', async () => {
    await testbed.db.insert(schema.widgets).values({ id: 1, name: 'a' });
    expect(await testbed.db.select().from(schema.widgets)).toEqual([{ id: 1, name: 'a' }]);
    expect(testbed.database.name).toMatch(/^t_[0-9a-f]+$/);
  });

  it('describes the database, the bus prefix and the keys in env', () => {
    expect(testbed.env).toEqual({
      NODE_ENV: 'test',
      DATABASE_URL: testbed.database.url,
      NATS_URL: expect.stringMatching(/^nats:\/\//),
      NATS_PREFIX: testbed.prefix,
      JWT_PUBLIC_KEY: testbed.keys.publicKey,
      COOKIE_KEYS: expect.stringMatching(/^[0-9a-f]{64},[0-9a-f]{64}$/),
    });
    expect(testbed.bus.prefix).toBe(testbed.prefix);
  });

  it('signs users the keys verify', () => {
    const user = testbed.user();
    expect(verifyUserToken(user.token, testbed.keys.verify)).toMatchObject({ id: user.id });
    expect(user.authorization).toBe(`Bearer ${user.token}`);
  });

  it('publishes events on its prefix and reads them back, a republish stored once more', async () => {
    const first = await testbed.publish('ticket.created', ticket());
    const second = await testbed.publish('ticket.created', ticket());
    await testbed.republish(first);
    const events = await testbed.events('ticket.created');
    expect(events.map((envelope) => envelope.id)).toEqual([first.id, second.id, first.id]);
    expect(events[0]).toEqual(first);
  });
});

describe('ServiceTestbed.close()', () => {
  it('runs the cleanups in reverse, then deletes the streams and drops the database', async () => {
    const testbed = await createServiceTestbed({ migrationsFolder, schema, poolSize: 1 });
    const ran: string[] = [];
    testbed.onClose(() => void ran.push('first'));
    testbed.onClose(async () => {
      await testbed.pool.query('select 1');
      ran.push('second');
    });
    await expect(testbed.bus.jsm.streams.info(testbed.bus.streamName('TICKETS'))).resolves.toBeDefined();
    const { prefix, database } = testbed;

    await testbed.close();

    expect(ran).toEqual(['second', 'first']);
    expect(await databaseExists(database.name)).toBe(false);
    const probe = await connectTestBus(prefix, { ensureStreams: false });
    try {
      await expect(probe.jsm.streams.info(probe.streamName('TICKETS'))).rejects.toThrow(/stream not found/);
    } finally {
      await probe.close();
    }
  });
});
