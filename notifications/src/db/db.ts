import type { DbTransaction } from '@glotixz/common/db';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type * as schema from './schema';

/** The tables of the notifications database. */
export type NotificationsSchema = typeof schema;

/** The notifications database. */
export type NotificationsDb = NodePgDatabase<NotificationsSchema>;

/** A transaction on the notifications database. */
export type NotificationsTx = DbTransaction<NotificationsSchema>;

/** Anything queries can run on: the database or a transaction. */
export type NotificationsExecutor = NotificationsDb | NotificationsTx;
