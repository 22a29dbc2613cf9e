import type { UserCreatedData } from '@glotixz/common/events';
import { eq } from 'drizzle-orm';
import type { NotificationsExecutor, NotificationsTx } from '../db/db';
import { users } from '../db/schema';

/** Data access for the users replica. */
export const usersRepo = {
  /** Adds the account from `user.created`; a repeat changes nothing. */
  async insertCreated(tx: NotificationsTx, user: UserCreatedData): Promise<void> {
    await tx
      .insert(users)
      .values({ id: user.id, email: user.email, createdAt: new Date(user.createdAt) })
      .onConflictDoNothing({ target: users.id });
  },

  /** The email address of `id`, or `null` while its `user.created` has not arrived. */
  async emailOf(db: NotificationsExecutor, id: string): Promise<string | null> {
    const [row] = await db.select({ email: users.email }).from(users).where(eq(users.id, id)).limit(1);
    return row?.email ?? null;
  },
};
