import { eq } from 'drizzle-orm';
import type { AuthDb } from '../db/db';
import { users, type UserRow } from '../db/schema';

/** A drizzle database or transaction on the auth database. */
type Executor = Pick<AuthDb, 'insert' | 'select'>;

/** Data access for accounts. */
export function createUsersRepo(db: AuthDb) {
  return {
    /**
     * Inserts a user; `null` when the email is taken. The unique constraint decides, so two
     * concurrent sign-ups for one email can never both succeed.
     */
    async insert(email: string, passwordHash: string, tx: Executor = db): Promise<UserRow | null> {
      const [row] = await tx
        .insert(users)
        .values({ email, passwordHash })
        .onConflictDoNothing({ target: users.email })
        .returning();
      return row ?? null;
    },

    async findByEmail(email: string): Promise<UserRow | null> {
      const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
      return row ?? null;
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
