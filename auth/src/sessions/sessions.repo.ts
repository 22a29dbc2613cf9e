import { enqueue } from '@glotixz/common/bus';
import { maxSessionsPerRevocation, sessionRevokedSubject } from '@glotixz/common/events';
import { sql } from 'drizzle-orm';
import { sessions } from '../db/schema';
import type { AuthDb, AuthTx } from '../db/db';

/** A drizzle database or transaction on the auth database. */
type Executor = Pick<AuthDb, 'execute' | 'insert'>;

/** A new session: the `sid` of its token, whose user, and when its token expires. */
export interface NewSession {
  id: string;
  userId: string;
  expiresAt: Date;
}

/** Data access for sign-in sessions. */
export function createSessionsRepo(db: AuthDb) {
  /** Publishes the revocation of `rows` (through the outbox, I1), at most 500 ids per event. */
  async function publishRevoked(tx: Executor, userId: string, rows: { id: string; expires_at: string }[]) {
    for (let i = 0; i < rows.length; i += maxSessionsPerRevocation) {
      const chunk = rows.slice(i, i + maxSessionsPerRevocation);
      const expiresAt = new Date(Math.max(...chunk.map((row) => new Date(row.expires_at).getTime())));
      await enqueue(tx, sessionRevokedSubject, {
        userId,
        sessionIds: chunk.map((row) => row.id),
        expiresAt: expiresAt.toISOString(),
      });
    }
  }

  return {
    /** Records a session; pass the transaction that creates the user, if any. */
    async insert(session: NewSession, tx: Executor = db): Promise<void> {
      await tx.insert(sessions).values(session);
    },

    /** Whether the session is unknown, revoked or expired: anything but live. */
    async isRevoked(id: string, userId: string): Promise<boolean> {
      const { rows } = await db.execute<{ live: boolean }>(sql`
        select revoked_at is null and expires_at > now() as live
          from sessions where id = ${id} and user_id = ${userId}`);
      return rows[0]?.live !== true;
    },

    /**
     * Revokes one session of a user and publishes `session.revoked` in the same transaction; a
     * session already revoked publishes nothing again. Answers whether it was live.
     */
    async revoke(id: string, userId: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        const { rows } = await tx.execute<{ id: string; expires_at: string }>(sql`
          update sessions set revoked_at = now()
           where id = ${id} and user_id = ${userId} and revoked_at is null and expires_at > now()
          returning id, expires_at`);
        await publishRevoked(tx, userId, rows);
        return rows.length > 0;
      });
    },

    /**
     * Revokes every live session of a user ("sign out everywhere", a password reset) and publishes
     * `session.revoked` with it; answers how many. Pass the transaction of a larger change (the
     * password reset) to make the revocation part of it, or none for a transaction of its own.
     */
    async revokeAll(userId: string, tx?: AuthTx): Promise<number> {
      const revokeIn = async (executor: Executor) => {
        const { rows } = await executor.execute<{ id: string; expires_at: string }>(sql`
          update sessions set revoked_at = now()
           where user_id = ${userId} and revoked_at is null and expires_at > now()
          returning id, expires_at`);
        await publishRevoked(executor, userId, rows);
        return rows.length;
      };
      return tx ? revokeIn(tx) : db.transaction(revokeIn);
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
