import { randomUUID } from 'node:crypto';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Pool } from 'pg';
import pino from 'pino';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { startMessaging } from '../bus';
import type { Bus, Messaging, MessagingOptions } from '../bus';
import { createDb, createPool, runMigrations } from '../db';
import { createEnvelope } from '../events';
import { createMetricsRegistry } from '../express/metrics';
import type { Envelope, EventMap, StreamName, Subject } from '../events';
import { createCookieKeys, createTestKeys, createTestUser } from './auth';
import type { TestKeys, TestUser } from './auth';
import { createTestDatabase } from './db';
import type { TestDatabase } from './db';
import { connectTestBus, deleteTestStreams, randomPrefix, readSubject, testNatsUrl } from './nats';
import { waitFor } from './wait';

/** The variables every service's configuration needs in a test. */
export interface ServiceTestEnv {
  NODE_ENV: 'test';
  DATABASE_URL: string;
  NATS_URL: string;
  NATS_PREFIX: string;
  JWT_PUBLIC_KEY: string;
  COOKIE_KEYS: string;
}

/** Options of {@link testServiceEnv}. */
export interface TestServiceEnvOptions {
  databaseUrl: string;
  /** Default {@link testNatsUrl}. */
  natsUrl?: string;
  /** Default empty: no isolation, for services that never reach the bus. */
  prefix?: string;
  /** Whose public key the service trusts. */
  keys: TestKeys;
}

/** A service environment for a test, with fresh cookie keys; spread overrides after it. */
export function testServiceEnv(options: TestServiceEnvOptions): ServiceTestEnv {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: options.databaseUrl,
    NATS_URL: options.natsUrl ?? testNatsUrl(),
    NATS_PREFIX: options.prefix ?? '',
    JWT_PUBLIC_KEY: options.keys.publicKey,
    COOKIE_KEYS: createCookieKeys().join(','),
  };
}

/**
 * Invalid values of the variables every service reads. A service's configuration test spreads
 * them next to its own bad values and expects an issue at each of {@link invalidServiceEnvPaths}.
 */
export const invalidServiceEnv = {
  PORT: 'abc',
  DATABASE_URL: 'mysql://x',
  NATS_URL: 'http://x',
  JWT_PUBLIC_KEY: 'nope',
  COOKIE_KEYS: 'short',
  NATS_PREFIX: 'a.b',
} as const;

/** Where a service schema reports the problems of {@link invalidServiceEnv}. */
export const invalidServiceEnvPaths = [
  'PORT',
  'DATABASE_URL',
  'NATS_URL',
  'JWT_PUBLIC_KEY',
  'COOKIE_KEYS.0',
  'NATS_PREFIX',
] as const;

/** Options of {@link createServiceTestbed}. */
export interface ServiceTestbedOptions<TSchema extends Record<string, unknown>> {
  /** The service's drizzle-kit migrations. */
  migrationsFolder: string;
  /** The service's drizzle schema. */
  schema: TSchema;
  /** Connections of the pool. Default 10. */
  poolSize?: number;
}

/** Options of {@link ServiceTestbed.startMessaging}. */
export interface TestMessagingOptions {
  service: string;
  /** The service's consumer table. */
  consumers: MessagingOptions['consumers'];
  /** How often the outbox relay polls, in milliseconds; the relay's default when omitted. */
  outboxPollMs?: number;
}

/** See {@link ServiceTestbed.appDeps}. */
export interface TestAppDeps<TSchema extends Record<string, unknown>> {
  logger: Logger;
  registry: Registry;
  pool: Pool;
  db: NodePgDatabase<TSchema>;
  messaging: Messaging;
  natsReady: () => Promise<void>;
}

/**
 * What a service's integration tests stand on: a migrated throwaway database, test keys, a silent
 * logger, and a bus on a random prefix that plays the other services.
 */
export interface ServiceTestbed<TSchema extends Record<string, unknown>> {
  database: TestDatabase;
  pool: Pool;
  db: NodePgDatabase<TSchema>;
  keys: TestKeys;
  logger: Logger;
  /** The random bus prefix that isolates this testbed's subjects and streams. */
  prefix: string;
  /** A test connection on {@link ServiceTestbed.prefix}, with the streams created. */
  bus: Bus;
  /** The service configuration's variables pointing at this testbed; spread overrides after it. */
  env: ServiceTestEnv;
  /** The registry the service under test serves on `/metrics`; its messaging registers there. */
  registry: Registry;
  /**
   * Starts the service's messaging as the service would, on this testbed's prefix, with the pool
   * as its outbox and {@link ServiceTestbed.registry} for its metrics; `close()` stops it.
   */
  startMessaging(this: void, options: TestMessagingOptions): Promise<Messaging>;
  /**
   * What a service's `createApp` takes from this testbed once `messaging` runs, as `startService`
   * hands it over: the logger, the registry, the pool and database, the messaging and its readiness.
   */
  appDeps(this: void, messaging: Messaging): TestAppDeps<TSchema>;
  /** A new user with a valid bearer token. */
  user(this: void): TestUser;
  /** Publishes an event as its owning service would; answers the envelope. */
  publish<S extends Subject>(this: void, subject: S, data: EventMap[S]): Promise<Envelope<S>>;
  /** Publishes the same envelope again under another JetStream msgID: a redelivery. */
  republish(this: void, envelope: Envelope): Promise<void>;
  /** The envelopes on the stream for `subject`, oldest first. */
  events<S extends Subject>(this: void, subject: S): Promise<Envelope<S>[]>;
  /** Waits until the consumer `durable` of `stream` has settled (acked or dead-lettered) every message. */
  consumerSettled(this: void, stream: StreamName, durable: string, timeoutMs?: number): Promise<void>;
  /** Waits until the outbox relay has published everything enqueued so far. */
  outboxDrained(this: void, timeoutMs?: number): Promise<void>;
  /** Registers a cleanup; {@link ServiceTestbed.close} runs them in reverse order of registration. */
  onClose(this: void, cleanup: () => Promise<void> | void): void;
  /** Runs the cleanups, then deletes the test streams, closes the bus and drops the database. */
  close(this: void): Promise<void>;
}

/** Creates a {@link ServiceTestbed}. Pair it with `close()` after the tests. */
export async function createServiceTestbed<TSchema extends Record<string, unknown>>(
  options: ServiceTestbedOptions<TSchema>,
): Promise<ServiceTestbed<TSchema>> {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: options.poolSize ?? 10 });
  await runMigrations(pool, options.migrationsFolder);
  const db = createDb(pool, options.schema);
  const keys = createTestKeys();
  const logger = pino({ level: 'silent' });
  const prefix = randomPrefix();
  const bus = await connectTestBus(prefix);
  const cleanups: (() => Promise<void> | void)[] = [];
  const registry = createMetricsRegistry();

  const testbed: ServiceTestbed<TSchema> = {
    database,
    pool,
    db,
    keys,
    logger,
    prefix,
    bus,
    env: testServiceEnv({ databaseUrl: database.url, prefix, keys }),
    registry,
    user: () => createTestUser(keys),

    async startMessaging({ service, consumers, outboxPollMs }) {
      const messaging = await startMessaging({
        service,
        natsUrl: testbed.env.NATS_URL,
        prefix,
        logger,
        outbox: outboxPollMs === undefined ? { pool } : { pool, pollIntervalMs: outboxPollMs },
        metrics: registry,
        consumers,
      });
      cleanups.push(() => messaging.stop());
      return messaging;
    },

    appDeps: (messaging) => ({ logger, registry, pool, db, messaging, natsReady: () => messaging.ready() }),

    async publish(subject, data) {
      const envelope = createEnvelope(subject, data);
      await bus.publish(envelope);
      return envelope;
    },

    async republish(envelope) {
      await bus.publishRaw(envelope.subject, JSON.stringify(envelope), { msgID: randomUUID() });
    },

    async events<S extends Subject>(subject: S) {
      const stored = await readSubject(bus, subject);
      return stored.map((message) => message.data as Envelope<S>);
    },

    async consumerSettled(stream, durable, timeoutMs = 10_000) {
      await waitFor(
        async () => {
          const info = await bus.jsm.consumers.info(bus.streamName(stream), durable);
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        timeoutMs,
        `${durable} to settle every message`,
      );
    },

    async outboxDrained(timeoutMs = 5_000) {
      await waitFor(
        async () => {
          const { rows } = await pool.query<{ n: string }>('select count(*) as n from outbox');
          return Number(rows[0]?.n) === 0;
        },
        timeoutMs,
        'the outbox to drain',
      );
    },

    onClose(cleanup) {
      cleanups.push(cleanup);
    },

    async close() {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      await deleteTestStreams(bus);
      await bus.close();
      await pool.end();
      await database.drop();
    },
  };
  return testbed;
}
