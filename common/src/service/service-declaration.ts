import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Messaging, MessagingOptions } from '../bus/messaging';
import type { HttpSettings } from '../express/http-server';
import type { Lifecycle } from '../express/run-service';
import type { ServiceApp } from '../express/service-app';
import type { SessionRevocationCheck } from '../express/session-revocations';

/**
 * What `startService` reads from a service's parsed configuration: the log level, where traces
 * go, NATS, how to listen, and (with a database) `DATABASE_URL`, (when it verifies tokens)
 * `JWT_TTL_SECONDS`. `baseEnv`, `busEnv` and `tokenVerifierEnv` from `@glotixz/common/config`
 * provide them.
 */
export interface ServiceConfig extends HttpSettings {
  LOG_LEVEL: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  NATS_URL: string;
  NATS_PREFIX?: string | undefined;
  NATS_STREAM_REPLICAS?: number | undefined;
  DATABASE_URL?: string | undefined;
  JWT_TTL_SECONDS?: number | undefined;
}

/** Drizzle tables of a service's database. */
export type ServiceSchema = Record<string, unknown>;

/** A service's own Postgres database: its drizzle tables and the drizzle-kit migrations folder. */
export interface DatabaseDeclaration<TSchema extends ServiceSchema> {
  schema: TSchema;
  migrationsFolder: string;
}

/**
 * Work a service runs beside its consumers, e.g. a `createBackgroundLoop` loop (sweepers, workers,
 * reconcilers, table pruners). Started after messaging, stopped before it.
 */
export interface BackgroundTask {
  start(): void;
  stop(): Promise<unknown>;
}

/** What every service gets: its configuration, its logger and the registry `/metrics` serves. */
export interface CoreDeps<TConfig> {
  config: TConfig;
  logger: Logger;
  /** Shared by the messaging (bus and outbox metrics) and the app (HTTP and business metrics). */
  registry: Registry;
}

/** What a service with a database gets: the pool (migrated) and its drizzle database. */
export interface DatabaseDeps<TSchema extends ServiceSchema> {
  pool: Pool;
  db: NodePgDatabase<TSchema>;
}

/** {@link CoreDeps}, plus {@link DatabaseDeps} when the service declares a database. */
export type BaseDeps<TConfig, TSchema extends ServiceSchema> = CoreDeps<TConfig> &
  ([TSchema] extends [never] ? unknown : DatabaseDeps<TSchema>);

/** The base dependencies plus what the service's `setup` added. */
export type ServiceDeps<TConfig, TSchema extends ServiceSchema, TExtra> = BaseDeps<TConfig, TSchema> & TExtra;

/** The dependencies once messaging runs: what the app and the tasks are built from. */
export type RunningDeps<TConfig, TSchema extends ServiceSchema, TExtra> = ServiceDeps<
  TConfig,
  TSchema,
  TExtra
> & {
  messaging: Messaging;
  /** Resolves when NATS and JetStream answer: what `/readyz` asks. */
  natsReady: () => Promise<void>;
  /** The sessions auth revoked, kept by the messaging when the service verifies tokens. */
  revocations?: SessionRevocationCheck;
};

/**
 * One service, declared: what `startService` needs to run it. Start order: tracing, the database
 * (pool, migrations), the registry, `setup`, messaging (with `consumers`), `tasks`, `createApp`,
 * listening. Shutdown runs the other way: stop accepting HTTP, stop consuming, stop the tasks
 * (last started first), stop messaging (the relay, then drain NATS), `setup`'s closers, the pool,
 * tracing.
 */
export interface ServiceDeclaration<
  TConfig extends ServiceConfig,
  TSchema extends ServiceSchema = never,
  TExtra extends object = object,
> {
  /** The service's name: in logs, spans, durable consumer names and stream ownership. */
  name: string;
  /** Parses the environment (the service's `readConfig`); a bad value stops the process. */
  config: (source: Record<string, string | undefined>) => TConfig;
  /**
   * The service's Postgres database, migrated before anything else starts; omit for none. A
   * service with a database publishes through the outbox in it (I1): the relay runs with the
   * messaging.
   */
  database?: DatabaseDeclaration<TSchema>;
  /**
   * Verifies users' tokens: the messaging keeps the sessions auth revoked, replaying the last
   * `JWT_TTL_SECONDS`, and hands them to the app as `messaging.revokedSessions`.
   */
  verifiesTokens?: boolean;
  /**
   * Builds what the consumers, the app and the tasks share beyond the base (clients, queues,
   * business metrics, workers not yet started), before messaging starts. A resource that must be
   * closed registers its closer with `lifecycle`; closers run after messaging stopped, last
   * registered first.
   */
  setup?: (
    deps: BaseDeps<TConfig, TSchema>,
    lifecycle: Pick<Lifecycle, 'onShutdown'>,
  ) => TExtra | Promise<TExtra>;
  /** The consumers `startMessaging` runs; none by default. */
  consumers?: (deps: ServiceDeps<TConfig, TSchema, TExtra>) => MessagingOptions['consumers'];
  /** The background tasks, by name, started in this order after messaging and stopped in reverse. */
  tasks?: (deps: RunningDeps<TConfig, TSchema, TExtra>) => Record<string, BackgroundTask>;
  /** The service's Express app (`createApp(deps)` in its `app.ts`): no side effects. */
  createApp: (deps: RunningDeps<TConfig, TSchema, TExtra>) => ServiceApp;
}

/**
 * Declares a service (see {@link ServiceDeclaration}); `startService` runs it. Only gives the
 * declaration its types: the configuration from `config`, the database from `database`, the
 * extra dependencies from `setup`.
 */
export function defineService<
  TConfig extends ServiceConfig,
  TSchema extends ServiceSchema = never,
  TExtra extends object = object,
>(declaration: ServiceDeclaration<TConfig, TSchema, TExtra>): ServiceDeclaration<TConfig, TSchema, TExtra> {
  return declaration;
}

/**
 * A task whose work starts on construction (a BullMQ worker, a helper that starts its own
 * pruners): `start` calls `begin`, `stop` stops what it answered.
 */
export function deferredTask(begin: () => { stop(): Promise<unknown> }): BackgroundTask {
  let running: { stop(): Promise<unknown> } | undefined;
  return {
    start() {
      running ??= begin();
    },
    async stop() {
      const task = running;
      running = undefined;
      await task?.stop();
    },
  };
}
