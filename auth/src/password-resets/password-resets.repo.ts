import { enqueue } from '@glotixz/common/bus';
import { userPasswordResetRequestedSubject } from '@glotixz/common/events';
import { sql } from 'drizzle-orm';
import type { AuthDb, AuthTx } from '../db/db';

/** A reset token just stored for an existing account. */
export interface IssuedReset {
  userId: string;
  email: string;
  expiresAt: Date;
}

/** Data access for password-reset tokens. Tokens arrive here as their SHA-256, never in clear. */
export function createPasswordResetsRepo(db: AuthDb) {
  return {
    /**
     * For the account with `email`, if there is one: stores `tokenHash` valid for `ttlSeconds`,
     * supersedes (marks used) that account's older unused tokens, and enqueues
     * `user.password-reset-requested` carrying `token`, all in `tx` (I1). Answers the reset, or
     * `null` when no account has that email.
     *
     * An unknown email takes the same two statements as a known one, so the answer's timing does
     * not tell which emails have accounts. The account row is locked first, so two requests at
     * once for one account run one after the other and leave exactly one live token.
     */
    async issue(
      tx: AuthTx,
      email: string,
      token: string,
      tokenHash: string,
      ttlSeconds: number,
    ): Promise<IssuedReset | null> {
      const { rows: users } = await tx.execute<{ id: string; email: string }>(sql`
        select id, email from users where email = ${email} for update`);
      const user = users[0];
      const { rows } = await tx.execute<{ user_id: string; expires_at: string }>(sql`
        with superseded as (
          update password_resets set used_at = now()
           where user_id = ${user?.id ?? null}::uuid and used_at is null
        )
        insert into password_resets (user_id, token_hash, expires_at)
        select ${user?.id ?? null}::uuid, ${tokenHash},
               now() + make_interval(secs => ${ttlSeconds}::double precision)
         where ${user?.id ?? null}::uuid is not null
        returning user_id, expires_at`);
      const row = rows[0];
      if (!user || !row) return null;
      const expiresAt = new Date(row.expires_at);
      await enqueue(tx, userPasswordResetRequestedSubject, {
        userId: user.id,
        email: user.email,
        token,
        expiresAt: expiresAt.toISOString(),
      });
      return { userId: user.id, email: user.email, expiresAt };
    },

    /** Whether a token with this hash is stored, unused and unexpired right now (a cheap pre-check). */
    async isLive(tokenHash: string): Promise<boolean> {
      const { rows } = await db.execute<{ live: boolean }>(sql`
        select exists (
          select 1 from password_resets
           where token_hash = ${tokenHash} and used_at is null and expires_at > now()
        ) as live`);
      return rows[0]?.live === true;
    },

    /**
     * Uses the token in `tx`: one conditional UPDATE decides, so of two confirmations with one
     * token exactly one gets its account; the other (and an unknown, used, superseded or expired
     * token) gets `null`.
     */
    async consume(tx: AuthTx, tokenHash: string): Promise<{ userId: string; email: string } | null> {
      const { rows } = await tx.execute<{ user_id: string; email: string }>(sql`
        update password_resets r set used_at = now()
          from users u
         where r.token_hash = ${tokenHash} and r.used_at is null and r.expires_at > now()
           and u.id = r.user_id
        returning r.user_id, u.email`);
      const row = rows[0];
      return row ? { userId: row.user_id, email: row.email } : null;
    },
  };
}

export type PasswordResetsRepo = ReturnType<typeof createPasswordResetsRepo>;
