import { enqueue } from '@glotixz/common/bus';
import { userCreatedSubject } from '@glotixz/common/events';
import { eq } from 'drizzle-orm';
import type { AuthDb, AuthTx } from '../db/db';
import { users, type UserRow } from '../db/schema';

/** Data access for accounts. */
export function createUsersRepo(db: AuthDb) {
  return {
    /**
     * Inserts a user in `tx` and enqueues its `user.created` there (I1); `null`, and nothing
     * written, when the email is taken. The unique constraint decides, so two concurrent sign-ups
     * for one email can never both succeed.
     */
    async insert(tx: AuthTx, email: string, passwordHash: string): Promise<UserRow | null> {
      const [row] = await tx
        .insert(users)
        .values({ email, passwordHash })
        .onConflictDoNothing({ target: users.email })
        .returning();
      if (!row) return null;
      await enqueue(tx, userCreatedSubject, {
        id: row.id,
        email: row.email,
        createdAt: row.createdAt.toISOString(),
      });
      return row;
    },

    /** Replaces the account's password hash in `tx`. */
    async setPasswordHash(tx: AuthTx, userId: string, passwordHash: string): Promise<void> {
      await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    },

    async findByEmail(email: string): Promise<UserRow | null> {
      const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
      return row ?? null;
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
