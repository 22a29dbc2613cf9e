import { createDb, createPool, runMigrations } from '@glotixz/common/db';
import { createCookieKeys, createTestDatabase, createTestKeys, type TestKeys } from '@glotixz/common/testing';
import type { Express } from 'express';
import type { Pool } from 'pg';
import pino from 'pino';
import { createApp } from '../src/app';
import { configSchema, type Config } from '../src/config';
import { migrationsFolder } from '../src/db/migrate';
import * as schema from '../src/db/schema';

/** A migrated throwaway auth database and a way to build apps on it. */
export interface AuthHarness {
  pool: Pool;
  keys: TestKeys;
  config: Config;
  app: Express;
  build(env?: Record<string, string>): { app: Express; config: Config };
  countUsers(): Promise<number>;
  close(): Promise<void>;
}

/** Sets up a random database with the auth schema and an app on it. */
export async function startAuthHarness(env: Record<string, string> = {}): Promise<AuthHarness> {
  const database = await createTestDatabase();
  const pool = createPool(database.url);
  await runMigrations(pool, migrationsFolder);
  const db = createDb(pool, schema);
  const keys = createTestKeys();
  const cookieKeys = createCookieKeys().join(',');
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

  const build = (overrides: Record<string, string> = {}) => {
    const config = configSchema.parse({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      JWT_PRIVATE_KEY: keys.privateKey,
      COOKIE_KEYS: cookieKeys,
      NATS_URL: 'nats://127.0.0.1:4222',
      // Tests sign up many users from one address at once; the limits have tests of their own.
      SIGNUP_MAX_PER_ADDRESS: '1000',
      PASSWORD_HASH_QUEUE_MAX: '100',
      PASSWORD_HASH_CONCURRENCY: '4',
      ...env,
      ...overrides,
    });
    return { app: createApp({ config, db, logger }).app, config };
  };
  const { app, config } = build();

  return {
    pool,
    keys,
    config,
    app,
    build,
    async countUsers() {
      const result = await pool.query<{ n: string }>('select count(*) as n from users');
      return Number(result.rows[0]?.n);
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}
