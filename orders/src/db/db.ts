import type { DbTransaction } from '@glotixz/common/db';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type * as schema from './schema';

/** The tables of the orders database. */
export type OrdersSchema = typeof schema;

/** The orders database. */
export type OrdersDb = NodePgDatabase<OrdersSchema>;

/** A transaction on the orders database. */
export type OrdersTx = DbTransaction<OrdersSchema>;

/** Anything queries can run on: the database or a transaction. */
export type OrdersExecutor = OrdersDb | OrdersTx;
