import { eq } from 'drizzle-orm';
import type { PaymentsExecutor, PaymentsTx } from '../db/db';
import { stripeEvents } from '../db/schema';

/** The Stripe events already handled, so each one changes the database once. */
export const stripeEventsRepo = {
  /**
   * Records a Stripe event in the caller's transaction, with its effect. `false` when it was
   * recorded before (a replay); a concurrent delivery of the same event waits for the first to
   * commit and then gets `false`.
   */
  async record(tx: PaymentsTx, id: string, type: string): Promise<boolean> {
    const inserted = await tx
      .insert(stripeEvents)
      .values({ id, type })
      .onConflictDoNothing({ target: stripeEvents.id })
      .returning({ id: stripeEvents.id });
    return inserted.length > 0;
  },

  /** Whether the event was handled already (for handlers that call Stripe before recording it). */
  async seen(db: PaymentsExecutor, id: string): Promise<boolean> {
    const [row] = await db.select({ id: stripeEvents.id }).from(stripeEvents).where(eq(stripeEvents.id, id));
    return row !== undefined;
  },
};
