import type { Logger } from 'pino';
import { startMessaging } from '../bus/messaging';
import type * as Migrate from '../db/migrate';
import type * as Pool from '../db/pool';
import { createMetricsRegistry } from '../express/metrics';
import type { Lifecycle } from '../express/run-service';
import type { ServiceApp } from '../express/service-app';
import type {
  BackgroundTask,
  BaseDeps,
  DatabaseDeps,
  RunningDeps,
  ServiceConfig,
  ServiceDeclaration,
  ServiceDeps,
  ServiceSchema,
} from './service-declaration';

/** What {@link bootService} needs besides the declaration. */
export interface BootOptions<TConfig> {
  config: TConfig;
  logger: Logger;
  /** Receives a closer per resource; they run last-registered first. */
  lifecycle: Pick<Lifecycle, 'onShutdown'>;
}

/** A booted service, minus its HTTP listener: every dependency, the messaging, the tasks and the app. */
export type BootedService<TConfig, TSchema extends ServiceSchema, TExtra> = RunningDeps<
  TConfig,
  TSchema,
  TExtra
> & {
  app: ServiceApp;
  tasks: Record<string, BackgroundTask>;
};

/**
 * Brings a declared service up to the point of listening, registering each resource's closer with
 * `lifecycle` as it opens: the pool (migrated under an advisory lock, so replicas starting
 * together apply each migration once), `setup`, the messaging, the tasks, then a closer that stops
 * the consumers, and the app. Closers run last-registered first, so shutdown stops consuming
 * before it stops the tasks (no consumer hands work to a stopped task), stops the tasks before
 * the messaging (work a pass enqueued in the outbox is published on the next start if not now),
 * and closes the pool last. `startService` runs it for a process; tests run it with their own
 * lifecycle.
 */
export async function bootService<
  TConfig extends ServiceConfig,
  TSchema extends ServiceSchema,
  TExtra extends object,
>(
  declaration: ServiceDeclaration<TConfig, TSchema, TExtra>,
  { config, logger, lifecycle }: BootOptions<TConfig>,
): Promise<BootedService<TConfig, TSchema, TExtra>> {
  const { name } = declaration;
  const registry = createMetricsRegistry();
  let database: DatabaseDeps<TSchema> | undefined;
  if (declaration.database) {
    if (!config.DATABASE_URL)
      throw new Error(`${name} declares a database but its config has no DATABASE_URL`);
    // Required here, not at the top: a service without a database (expiration) never loads pg
    // and drizzle's driver and migrator, some 70 modules and megabytes of its idle memory.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { createDb, createPool } = require('../db/pool') as typeof Pool;
    const { runMigrations } = require('../db/migrate') as typeof Migrate;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const pool = createPool(config.DATABASE_URL, { logger });
    lifecycle.onShutdown('postgres', () => pool.end());
    await runMigrations(pool, declaration.database.migrationsFolder);
    database = { pool, db: createDb(pool, declaration.database.schema) };
  }
  const replaySeconds = config.JWT_TTL_SECONDS;
  if (declaration.verifiesTokens && replaySeconds === undefined) {
    throw new Error(`${name} verifies tokens but its config has no JWT_TTL_SECONDS`);
  }

  const base = { config, logger, registry, ...database } as BaseDeps<TConfig, TSchema>;
  const extra = declaration.setup ? await declaration.setup(base, lifecycle) : ({} as TExtra);
  const deps = { ...base, ...extra } as ServiceDeps<TConfig, TSchema, TExtra>;

  const messaging = await startMessaging({
    service: name,
    natsUrl: config.NATS_URL.split(',').map((url) => url.trim()),
    prefix: config.NATS_PREFIX,
    streamReplicas: config.NATS_STREAM_REPLICAS,
    logger,
    outbox: database ? { pool: database.pool } : undefined,
    metrics: registry,
    revocations: declaration.verifiesTokens && replaySeconds !== undefined ? { replaySeconds } : undefined,
    consumers: declaration.consumers?.(deps) ?? [],
  });
  lifecycle.onShutdown('messaging', () => messaging.stop());
  const running = {
    ...deps,
    messaging,
    natsReady: () => messaging.ready(),
    revocations: declaration.verifiesTokens ? messaging.revokedSessions : undefined,
  } as RunningDeps<TConfig, TSchema, TExtra>;

  const tasks = declaration.tasks?.(running) ?? {};
  for (const [taskName, task] of Object.entries(tasks)) {
    task.start();
    lifecycle.onShutdown(taskName, () => task.stop());
  }
  lifecycle.onShutdown('consumers', () =>
    Promise.all(messaging.consumers.map((consumer) => consumer.stop())),
  );

  const app = declaration.createApp(running);
  return { ...running, app, tasks };
}
