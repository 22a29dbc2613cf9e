import { createServiceApp, type ServiceApp } from '@glotixz/common/express';
import { appDefaults, type AppDeps as BaseAppDeps } from '@glotixz/common/service';
import { eventsRoutes } from './catalog/events.routes';
import { staffRoutes } from './catalog/staff.routes';
import { createStaffService } from './catalog/staff.service';
import { checkinsRoutes } from './checkins/checkins.routes';
import { createCheckinsService } from './checkins/checkins.service';
import { createETicketVerifier } from './checkins/eticket-keys';
import { createEventsService } from './catalog/events.service';
import type { Config } from './config';
import type { TicketsDb } from './db/db';
import { ticketsRoutes } from './tickets/tickets.routes';
import { createTicketsService } from './tickets/tickets.service';

/** What the tickets app needs from the outside world. */
export type AppDeps = BaseAppDeps<Config, TicketsDb>;

/** Builds the tickets Express app. No side effects: `main.ts` listens, tests drive it with supertest. */
export function createApp(deps: AppDeps): ServiceApp {
  const tickets = createTicketsService(deps.db, { defaultCurrency: deps.config.DEFAULT_CURRENCY });
  const staff = createStaffService(deps.db);
  const jwks = deps.config.ETICKET_PUBLIC_KEYS;
  const checkins = createCheckinsService(deps.db, createETicketVerifier(jwks), staff);
  return createServiceApp({
    ...appDefaults('tickets', deps),
    routes: [
      ...eventsRoutes(createEventsService(deps.db)),
      ...staffRoutes(staff),
      ...ticketsRoutes(tickets),
      ...checkinsRoutes(checkins, jwks),
    ],
    docsPath: '/api/tickets/docs',
    docsTitle: 'Glotixz tickets API',
  });
}
