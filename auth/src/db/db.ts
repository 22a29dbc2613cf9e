import type { DbTransaction } from '@glotixz/common/db';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type * as schema from './schema';

/** The tables of the auth database. */
export type AuthSchema = typeof schema;

/** The auth database. */
export type AuthDb = NodePgDatabase<AuthSchema>;

/** A transaction on the auth database. */
export type AuthTx = DbTransaction<AuthSchema>;
