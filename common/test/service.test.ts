import path from 'node:path';
import { sql } from 'drizzle-orm';
import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import express from 'express';
import pino from 'pino';
import { createServiceApp } from '../src/express';
import { bootService, defineService, type BackgroundTask } from '../src/service';
import { createTestDatabase, type TestDatabase } from '../src/testing/db';
import { randomPrefix, testNatsUrl } from '../src/testing/nats';

const widgets = pgTable('widgets', { id: serial('id').primaryKey(), name: text('name').notNull() });
const migrationsFolder = path.join(__dirname, 'fixtures/migrations');
const logger = pino({ level: 'silent' });

/** A lifecycle that records what registered, in order, and runs the closers as `runService` does. */
function recordingLifecycle() {
  const closers: { name: string; close: () => Promise<unknown> }[] = [];
  return {
    names: () => closers.map(({ name }) => name),
    onShutdown: (name: string, close: () => Promise<unknown>) => void closers.push({ name, close }),
    async shutdown() {
      for (const { close } of closers.splice(0).reverse()) await close();
    },
  };
}

describe('bootService', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('migrates, sets up, starts messaging, then the tasks, and closes them in reverse', async () => {
    const events: string[] = [];
    const task = (name: string): BackgroundTask => ({
      start: () => void events.push(`start ${name}`),
      stop: () => Promise.resolve(void events.push(`stop ${name}`)),
    });
    const declaration = defineService({
      name: 'widgets',
      config: () => ({
        LOG_LEVEL: 'silent',
        NATS_URL: testNatsUrl(),
        NATS_PREFIX: randomPrefix(),
        PORT: 0,
        DATABASE_URL: database.url,
      }),
      database: { schema: { widgets }, migrationsFolder },
      setup: async ({ db }, lifecycle) => {
        const { rows } = await db.execute<{ name: string }>(sql`select name from widgets`);
        events.push(`setup after migrations (${rows.length} widgets)`);
        lifecycle.onShutdown('widget-client', () => Promise.resolve(void events.push('close widget-client')));
        return { label: 'widget' };
      },
      consumers: ({ label }) => {
        events.push(`consumers for ${label}`);
        return [];
      },
      tasks: ({ messaging }) => {
        events.push(`tasks with messaging: ${typeof messaging.ready}`);
        return { first: task('first'), second: task('second') };
      },
      createApp: ({ registry, messaging }) => {
        events.push('app');
        return createServiceApp({
          service: 'widgets',
          logger,
          routes: [],
          docsPath: '/api/widgets/docs',
          docsTitle: 'Widgets',
          readiness: { nats: () => messaging.ready() },
          registry,
        });
      },
    });
    const lifecycle = recordingLifecycle();
    const config = declaration.config({});

    const booted = await bootService(declaration, { config, logger, lifecycle });

    expect(booted.label).toBe('widget');
    expect(booted.app.metrics).toBe(booted.registry);
    expect(Object.keys(booted.tasks)).toEqual(['first', 'second']);
    expect(events).toEqual([
      'setup after migrations (0 widgets)',
      'consumers for widget',
      'tasks with messaging: function',
      'start first',
      'start second',
      'app',
    ]);
    expect(lifecycle.names()).toEqual([
      'postgres',
      'widget-client',
      'messaging',
      'first',
      'second',
      'consumers',
    ]);

    await lifecycle.shutdown();
    expect(events.slice(6)).toEqual(['stop second', 'stop first', 'close widget-client']);
    expect(booted.pool.ending).toBe(true);
  });

  it('refuses a database without a DATABASE_URL', async () => {
    const declaration = defineService({
      name: 'no-url',
      config: () => ({ LOG_LEVEL: 'silent', NATS_URL: testNatsUrl(), PORT: 0 }),
      database: { schema: {}, migrationsFolder: 'migrations' },
      createApp: () => ({ app: express(), metrics: undefined as never, openapi: {} }),
    });
    const lifecycle = recordingLifecycle();
    await expect(
      bootService(declaration, { config: declaration.config({}), logger, lifecycle }),
    ).rejects.toThrow('no-url declares a database but its config has no DATABASE_URL');
  });
});
