import { deferredTask, defineService } from '@glotixz/common/service';
import { createApp } from './app';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import { ticketsConsumers } from './events/consumers';
import { startOrderRecordsPruner } from './events/order-records';

/** The tickets service: sellers list tickets; orders reserve and release them. */
export const ticketsService = defineService({
  name: 'tickets',
  config: readConfig,
  database: { schema, migrationsFolder },
  verifiesTokens: true,
  consumers: ({ db }) => ticketsConsumers(db),
  tasks: ({ pool, logger }) => ({
    pruner: deferredTask(() => startOrderRecordsPruner(pool, logger)),
  }),
  createApp,
});
