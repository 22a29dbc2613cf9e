import { createServiceApp, type ServiceApp } from '@glotixz/common/express';
import type { ReadinessDb } from '@glotixz/common/service';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** What the notifications app needs from the outside world. */
export interface AppDeps {
  logger: Logger;
  db: ReadinessDb;
  /** Resolves when NATS and JetStream answer. */
  natsReady: () => Promise<void>;
  /** The registry `/metrics` serves, shared with the messaging and the email counters. */
  registry?: Registry;
}

/**
 * Builds the notifications Express app: no API routes (it only reacts to events), `/healthz`,
 * `/readyz` (Postgres and NATS) and `/metrics` with the email counters. No side effects.
 */
export function createApp({ logger, db, natsReady, registry }: AppDeps): ServiceApp {
  return createServiceApp({
    service: 'notifications',
    logger,
    routes: [],
    docsPath: '/api/notifications/docs',
    docsTitle: 'Glotixz notifications service',
    readiness: {
      postgres: () => db.execute(sql`select 1`),
      nats: natsReady,
    },
    registry,
  });
}
