import { sql, type SQL } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ServiceAppOptions } from '../express/service-app';
import { sessionOptions, type SessionConfig } from '../express/session-options';
import type { SessionRevocationCheck } from '../express/session-revocations';

/** A database `/readyz` can ask: anything with drizzle's `execute`. */
export interface ReadinessDb {
  execute(query: SQL): Promise<unknown>;
}

/**
 * What every service's `createApp(deps)` is built from besides its own dependencies: a running
 * service gets it from `startService` (its running dependencies carry these fields), a test
 * builds it by hand.
 */
export interface AppDeps<
  TConfig extends SessionConfig = SessionConfig,
  TDb extends ReadinessDb = ReadinessDb,
> {
  config: TConfig;
  db: TDb;
  logger: Logger;
  /** Resolves when NATS and JetStream answer (`messaging.ready`); omitted, `/readyz` asks Postgres only. */
  natsReady?: () => Promise<void>;
  /** The registry `/metrics` serves, shared with the messaging's bus and outbox metrics; a new one by default. */
  registry?: Registry;
  /** Revoked sessions (`messaging.revokedSessions`): their tokens are refused. */
  revocations?: SessionRevocationCheck;
}

/**
 * The options of `createServiceApp` every service fills the same way from its {@link AppDeps}:
 * its name, logger and registry, the session cookie and token verification from its config, the
 * revoked sessions, and `/readyz` asking Postgres and (when given) NATS. The service adds its
 * routes and documents: `createServiceApp({ ...appDefaults('orders', deps), routes, docsPath, docsTitle })`.
 */
export function appDefaults(
  service: string,
  { config, db, logger, natsReady, registry, revocations }: AppDeps,
  sessionMaxAgeMs?: number,
): Pick<
  ServiceAppOptions,
  'service' | 'logger' | 'auth' | 'session' | 'trustProxy' | 'revocations' | 'readiness' | 'registry'
> {
  return {
    service,
    logger,
    ...sessionOptions(config, sessionMaxAgeMs),
    revocations,
    readiness: {
      postgres: () => db.execute(sql`select 1`),
      ...(natsReady ? { nats: natsReady } : {}),
    },
    registry,
  };
}
