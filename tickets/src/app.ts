import type { Messaging } from '@glotixz/common/bus';
import {
  createServiceApp,
  sessionOptions,
  type Registry,
  type ServiceApp,
  type SessionRevocationCheck,
} from '@glotixz/common/express';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { TicketsDb } from './db/db';
import { ticketsRoutes } from './tickets/tickets.routes';
import { createTicketsService } from './tickets/tickets.service';

/** What the tickets app needs from the outside world. */
export interface AppDeps {
  config: Config;
  db: TicketsDb;
  /** The running messaging; `/readyz` asks it whether NATS answers. */
  messaging: Pick<Messaging, 'ready'>;
  logger: Logger;
  /** The registry `/metrics` serves, shared with `startMessaging` for the bus metrics; a new one by default. */
  registry?: Registry;
  /** Revoked sessions (`Messaging.revokedSessions`): their tokens are refused. */
  revocations?: SessionRevocationCheck;
}

/** Builds the tickets Express app. No side effects: `main.ts` listens, tests drive it with supertest. */
export function createApp({ config, db, messaging, logger, registry, revocations }: AppDeps): ServiceApp {
  const tickets = createTicketsService(db, { defaultCurrency: config.DEFAULT_CURRENCY });
  return createServiceApp({
    service: 'tickets',
    logger,
    ...sessionOptions(config),
    revocations,
    routes: ticketsRoutes(tickets),
    docsPath: '/api/tickets/docs',
    docsTitle: 'Glotixz tickets API',
    readiness: {
      postgres: () => db.execute(sql`select 1`),
      nats: () => messaging.ready(),
    },
    registry,
  });
}
