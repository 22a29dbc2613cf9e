import type { DbTransaction } from '@glotixz/common/db';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Pool } from 'pg';
import type * as schema from './schema';

/** The tables of the orders database. */
export type OrdersSchema = typeof schema;

/** The orders database. */
export type OrdersDb = NodePgDatabase<OrdersSchema>;

/** A transaction on the orders database. */
export type OrdersTx = DbTransaction<OrdersSchema>;

/** Anything queries can run on: the database or a transaction. */
export type OrdersExecutor = OrdersDb | OrdersTx;

/**
 * The pg pool under `db` (drizzle's `$client`), for the hot path that drives one connection
 * itself: a transaction whose round trips it chooses and statements it prepares.
 */
export function poolOf(db: OrdersDb): Pool {
  return (db as OrdersDb & { $client: Pool }).$client;
}
