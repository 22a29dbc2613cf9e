import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { AppError } from '@glotixz/common/errors';
import type { AuthDb } from '../db/db';

/** Per-account backoff settings. */
export interface AccountBackoffLimits {
  /** Failures an account may have before each further attempt must wait. */
  freeFailures: number;
  /** Longest wait between attempts; the wait doubles from 1 s up to this. */
  maxDelaySeconds: number;
  /** How long after its last failure (and lock) an account's failures are forgotten. */
  windowSeconds: number;
}

function accountKey(email: string): string {
  return createHash('sha256').update(`account:${email}`).digest('base64url');
}

/**
 * Backoff per account, from any address: after `freeFailures` failed sign-ins to one email, each
 * attempt first claims a slot that locks the account for 1 s, then 2 s, 4 s, … up to
 * `maxDelaySeconds`, and an attempt during a lock answers 429 `RATE_LIMITED` with `Retry-After`.
 * So an attacker rotating addresses gets a few guesses an hour at most, while the limit per
 * address stays about that address alone. A successful sign-in clears the account's failures.
 * The rows live in auth's database (`signin_backoff`), keyed by a hash of the email, so every
 * replica shares them; each step is one atomic statement.
 */
export function createAccountBackoff(db: AuthDb, limits: AccountBackoffLimits) {
  const delay = (
    failures: unknown,
  ) => sql`make_interval(secs => least(${limits.maxDelaySeconds}::double precision,
      power(2, greatest((${failures})::int - ${limits.freeFailures}::int, 0))))`;

  return {
    /**
     * Claims the right to try a password for `email`, in one statement. Answers whether the
     * account has recent failures (only then does a success need to clear them).
     * @throws AppError `RATE_LIMITED` (with `details.retryAfterSeconds`) while the account is locked.
     */
    async claim(email: string): Promise<{ hasFailures: boolean }> {
      const key = accountKey(email);
      const { rows } = await db.execute<{ wait: number }>(sql`
        with claimed as (
          update signin_backoff
             set locked_until = now() + ${delay(sql`failures`)}
           where key = ${key} and expires_at > now() and failures >= ${limits.freeFailures}::int
             and locked_until <= now()
          returning 0::double precision as wait
        )
        select wait from claimed
        union all
        select extract(epoch from locked_until - now())::double precision
          from signin_backoff
         where key = ${key} and expires_at > now() and not exists (select 1 from claimed)`);
      const wait = rows[0]?.wait;
      if (wait === undefined) return { hasFailures: false };
      if (Number(wait) <= 0) return { hasFailures: true };
      const retryAfterSeconds = Math.max(1, Math.ceil(Number(wait)));
      throw new AppError(
        'RATE_LIMITED',
        `Too many failed sign-in attempts for this account; try again in ${retryAfterSeconds} s`,
        { retryAfterSeconds },
      );
    },

    /** Records a failed attempt: past the free failures the account is locked for longer. */
    async failed(email: string): Promise<void> {
      await db.execute(sql`
        insert into signin_backoff as b (key, failures, locked_until, expires_at)
        values (${accountKey(email)}, 1,
                case when 1 >= ${limits.freeFailures}::int then now() + ${delay(1)} else now() end,
                now() + make_interval(secs => ${limits.windowSeconds + limits.maxDelaySeconds}::double precision))
        on conflict (key) do update
          set failures = case when b.expires_at <= now() then 1 else b.failures + 1 end,
              locked_until = case
                when (case when b.expires_at <= now() then 1 else b.failures + 1 end) >= ${limits.freeFailures}::int
                  then greatest(b.locked_until,
                    now() + ${delay(sql`(case when b.expires_at <= now() then 1 else b.failures + 1 end)`)})
                else b.locked_until end,
              expires_at = now() + make_interval(secs => ${limits.windowSeconds + limits.maxDelaySeconds}::double precision)`);
    },

    /** Forgets the account's failures after a successful sign-in. */
    async succeeded(email: string): Promise<void> {
      await db.execute(sql`delete from signin_backoff where key = ${accountKey(email)}`);
    },
  };
}

export type AccountBackoff = ReturnType<typeof createAccountBackoff>;
