import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { PaymentsExecutor } from '../db/db';
import { sellerAccounts, type SellerAccountRow, type SellerAccountStatus } from '../db/schema';

/** Data access for sellers' connected accounts. */
export const accountsRepo = {
  async find(db: PaymentsExecutor, userId: string): Promise<SellerAccountRow | null> {
    const [row] = await db.select().from(sellerAccounts).where(eq(sellerAccounts.userId, userId)).limit(1);
    return row ?? null;
  },

  /** Saves the seller's account; the first one saved wins (Stripe answered both with the same). */
  async insert(db: PaymentsExecutor, userId: string, stripeAccountId: string): Promise<SellerAccountRow> {
    await db.insert(sellerAccounts).values({ userId, stripeAccountId }).onConflictDoNothing();
    const row = await accountsRepo.find(db, userId);
    if (!row) throw new Error(`seller account of ${userId} vanished`);
    return row;
  },

  /** Applies a status from an event created at `at`, unless a newer event set it already. */
  async applyStatus(
    db: PaymentsExecutor,
    stripeAccountId: string,
    status: SellerAccountStatus,
    at: Date,
  ): Promise<boolean> {
    const updated = await db
      .update(sellerAccounts)
      .set({ status, statusAt: at, updatedAt: sql`now()` })
      .where(
        and(
          eq(sellerAccounts.stripeAccountId, stripeAccountId),
          or(isNull(sellerAccounts.statusAt), lte(sellerAccounts.statusAt, at)),
        ),
      )
      .returning({ userId: sellerAccounts.userId });
    return updated.length > 0;
  },
};
