import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@glotixz/common/errors';
import type { AuthDb } from '../db/db';
import type { SessionsRepo } from '../sessions/sessions.repo';
import type { AccountBackoff } from '../users/account-backoff';
import type { HashingQueue } from '../users/hashing-queue';
import { hashPassword } from '../users/password';
import type { UsersRepo } from '../users/users.repo';
import type { PasswordResetsRepo } from './password-resets.repo';

/** Bytes of randomness in a reset token (sent base64url). */
const TOKEN_BYTES = 32;

/** What the password-reset service works with. */
export interface PasswordResetsServiceDeps {
  db: AuthDb;
  resets: PasswordResetsRepo;
  users: UsersRepo;
  sessions: SessionsRepo;
  hashing: HashingQueue;
  backoff: AccountBackoff;
  /** How long a token works. */
  ttlSeconds: number;
}

/** The SHA-256 of a token, as `password_resets.token_hash` stores it. */
export function hashResetToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function invalidToken(): AppError {
  return new AppError('INVALID_RESET_TOKEN', 'This reset link is invalid or has expired; ask for a new one');
}

/** Forgotten passwords: a single-use token mailed to the account's address sets a new password. */
export function createPasswordResetsService({
  db,
  resets,
  users,
  sessions,
  hashing,
  backoff,
  ttlSeconds,
}: PasswordResetsServiceDeps) {
  return {
    /**
     * Issues a token for the account with `email` (normalised by the route schema), if there is
     * one, and has it mailed through `user.password-reset-requested`. Answers nothing either way,
     * so the caller cannot tell whether the account exists.
     */
    async request(email: string): Promise<void> {
      const token = randomBytes(TOKEN_BYTES).toString('base64url');
      await db.transaction((tx) => resets.issue(tx, email, token, hashResetToken(token), ttlSeconds));
    },

    /**
     * Sets a new password with a token and signs the account out everywhere.
     * @throws AppError `INVALID_RESET_TOKEN` when the token is unknown, used, superseded or expired.
     */
    async confirm(token: string, password: string): Promise<void> {
      const tokenHash = hashResetToken(token);
      // A token that cannot work costs no 128 MiB hash; the UPDATE below still decides.
      if (!(await resets.isLive(tokenHash))) throw invalidToken();
      // The hash is CPU work: done before the transaction, which then holds its locks briefly.
      const passwordHash = await hashing.run('reset', () => hashPassword(password));
      const account = await db.transaction(async (tx) => {
        const used = await resets.consume(tx, tokenHash);
        if (!used) throw invalidToken();
        await users.setPasswordHash(tx, used.userId, passwordHash);
        await sessions.revokeAll(used.userId, tx);
        return used;
      });
      // Whoever holds the mailed link owns the address: failed guesses no longer slow them down.
      await backoff.succeeded(account.email);
    },
  };
}

export type PasswordResetsService = ReturnType<typeof createPasswordResetsService>;
