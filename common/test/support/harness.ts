import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import type { Pool } from 'pg';
import pino from 'pino';
import type { Bus } from '../../src/bus';
import { inbox, outbox } from '../../src/bus';
import { createDb, createPool } from '../../src/db';
import { createTestDatabase } from '../../src/testing/db';
import type { TestDatabase } from '../../src/testing/db';
import { connectTestBus, deleteTestStreams, randomPrefix } from '../../src/testing/nats';
export { sleep, waitFor } from '../../src/testing/wait';

/** The DDL drizzle-kit generates for `outbox` and `inbox` (checked by outbox.schema.test.ts). */
export const busTablesDdl = `CREATE TABLE "outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"envelope" jsonb NOT NULL,
	"headers" jsonb,
	"created_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text
);

CREATE TABLE "inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);

CREATE INDEX "outbox_created_at_idx" ON "outbox" USING btree ("created_at");`;

/** A test-only table a handler can change, to count side effects. */
export const counters = pgTable('counters', {
  id: text('id').primaryKey(),
  value: integer('value').notNull(),
});

/** A replica of an aggregate, for `order: 'version'` consumers. */
export const replicas = pgTable('replicas', {
  id: text('id').primaryKey(),
  version: integer('version').notNull(),
});

const testTablesDdl = `CREATE TABLE "counters" ("id" text PRIMARY KEY NOT NULL, "value" integer NOT NULL);
  CREATE TABLE "replicas" ("id" text PRIMARY KEY NOT NULL, "version" integer NOT NULL);`;

export const schema = { outbox, inbox, counters, replicas };

export const silentLogger = pino({ level: 'silent' });

/** A random database with the bus tables, a pool and drizzle on it, and a bus with a random prefix. */
export interface Harness {
  database: TestDatabase;
  pool: Pool;
  db: NodePgDatabase<typeof schema>;
  bus: Bus;
  close(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 8 });
  await pool.query(busTablesDdl);
  await pool.query(testTablesDdl);
  const bus = await connectTestBus(randomPrefix());
  return {
    database,
    pool,
    db: createDb(pool, schema),
    bus,
    close: async () => {
      await deleteTestStreams(bus);
      await bus.close();
      await pool.end();
      await database.drop();
    },
  };
}

/** Polls `probe` until it returns a truthy value, or fails after `timeoutMs`. */

export { ticketCreatedData as ticketData } from '../../src/testing/fixtures';
