import { createTablePruner } from '@glotixz/common/db';
import { defineService } from '@glotixz/common/service';
import { createApp } from './app';
import { readConfig } from './config';
import { migrationsFolder } from './db/migrate';
import * as schema from './db/schema';
import { authConsumers } from './events/consumers';

/**
 * Bookkeeping rows of no further use: ended sign-in windows and backoffs, expired sessions and
 * expired password-reset tokens.
 */
const prunedTables = [
  { table: 'signin_attempts', column: 'reset_at' },
  { table: 'signin_backoff', column: 'expires_at' },
  { table: 'sessions', column: 'expires_at' },
  { table: 'password_resets', column: 'expires_at' },
];

/** The auth service: accounts, sign-in and the sessions whose tokens the other services verify. */
export const authService = defineService({
  name: 'auth',
  config: readConfig,
  database: { schema, migrationsFolder },
  consumers: authConsumers,
  tasks: ({ pool, logger }) =>
    Object.fromEntries(
      prunedTables.map(({ table, column }) => [
        `${table}-pruner`,
        createTablePruner({ pool, logger, table, column, retentionMs: 0 }),
      ]),
    ),
  createApp,
});
