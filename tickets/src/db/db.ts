import type { DbTransaction } from '@glotixz/common/db';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type * as schema from './schema';

/** The tables of the tickets database. */
export type TicketsSchema = typeof schema;

/** The tickets database. */
export type TicketsDb = NodePgDatabase<TicketsSchema>;

/** A transaction on the tickets database. */
export type TicketsTx = DbTransaction<TicketsSchema>;
