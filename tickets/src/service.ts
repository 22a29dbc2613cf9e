import { deferredTask, defineService } from '@glotixz/common/service';
import { createApp } from './app';
import { createEventCloser } from './catalog/event-closer';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import { ticketsConsumers } from './events/consumers';
import { startOrderRecordsPruner } from './events/order-records';

/** The tickets service: events and the tickets sellers list for them; orders reserve and release them; events close at their start. */
export const ticketsService = defineService({
  name: 'tickets',
  config: readConfig,
  database: { schema, migrationsFolder },
  verifiesTokens: true,
  consumers: ({ db }) => ticketsConsumers(db),
  tasks: ({ config, pool, db, logger }) => ({
    pruner: deferredTask(() => startOrderRecordsPruner(pool, logger)),
    'event-closer': createEventCloser({ db, logger, intervalMs: config.EVENT_CLOSE_INTERVAL_SECONDS * 1000 }),
  }),
  createApp,
});
