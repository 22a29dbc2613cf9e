import type { DbTransaction } from '@glotixz/common/db';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type * as schema from './schema';

/** The tables of the payments database. */
export type PaymentsSchema = typeof schema;

/** The payments database. */
export type PaymentsDb = NodePgDatabase<PaymentsSchema>;

/** A transaction on the payments database. */
export type PaymentsTx = DbTransaction<PaymentsSchema>;

/** Anything queries can run on: the database or a transaction. */
export type PaymentsExecutor = PaymentsDb | PaymentsTx;
