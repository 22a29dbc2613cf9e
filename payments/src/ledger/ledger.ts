import { and, eq, sql } from 'drizzle-orm';
import type { PaymentsTx } from '../db/db';
import { ledgerEntries, ledgerTransactions } from '../db/schema';

/**
 * The ledger's accounts (I10). Amounts are signed minor units: positive is a debit (money the
 * platform holds or is owed), negative a credit (money it owes or earned).
 */
export const accounts = {
  /** The platform's balance at Stripe. */
  stripeBalance: 'stripe:balance',
  /** The platform's fees earned. */
  platformFees: 'platform:fees',
  /** A charge on an order that was cancelled: owed back to its buyer until refunded. */
  buyer: (userId: string) => `buyer:${userId}`,
  /** A sale's net, owed to its seller until transferred. */
  sellerPayable: (userId: string) => `seller:${userId}:payable`,
  /** A charge of an order from before payouts (no seller known): held until refunded. */
  unallocated: 'platform:unallocated',
} as const;

/** The kinds of money movement. */
export type MovementKind = 'charge' | 'transfer' | 'reversal' | 'refund';

/** One line of a movement. */
export interface Entry {
  account: string;
  amount: number;
}

/** A money movement to book. */
export interface Movement {
  kind: MovementKind;
  /** The Stripe object of the movement; with `kind`, books it at most once. */
  reference: string;
  orderId: string;
  currency: string;
  entries: Entry[];
}

/**
 * Books a movement in the caller's transaction, the one that records the movement itself. The
 * entries must sum to zero: the deferred constraint trigger rejects the commit otherwise. Answers
 * `false`, booking nothing, when the movement was booked before.
 */
export async function book(tx: PaymentsTx, movement: Movement): Promise<boolean> {
  const [created] = await tx
    .insert(ledgerTransactions)
    .values({ kind: movement.kind, reference: movement.reference, orderId: movement.orderId })
    .onConflictDoNothing()
    .returning({ id: ledgerTransactions.id });
  if (!created) return false;
  const lines = movement.entries.filter((entry) => entry.amount !== 0);
  if (lines.length > 0) {
    await tx.insert(ledgerEntries).values(
      lines.map((entry) => ({
        transactionId: created.id,
        account: entry.account,
        currency: movement.currency,
        amount: entry.amount,
      })),
    );
  }
  return true;
}

/** The entries of the order's charge, as booked (empty for a charge from before the ledger). */
export async function chargeEntries(tx: PaymentsTx, orderId: string): Promise<Entry[]> {
  const rows = await tx
    .select({ account: ledgerEntries.account, amount: ledgerEntries.amount })
    .from(ledgerEntries)
    .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
    .where(and(eq(ledgerTransactions.orderId, orderId), eq(ledgerTransactions.kind, 'charge')));
  return rows;
}

/** The sum of an account's entries per currency (e.g. what is still owed to a seller). */
export async function balanceOf(tx: PaymentsTx, account: string): Promise<Record<string, number>> {
  const rows = await tx
    .select({ currency: ledgerEntries.currency, total: sql<string>`sum(${ledgerEntries.amount})` })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.account, account))
    .groupBy(ledgerEntries.currency);
  return Object.fromEntries(rows.map((row) => [row.currency, Number(row.total)]));
}
