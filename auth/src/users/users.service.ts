import { randomUUID } from 'node:crypto';
import { AppError } from '@glotixz/common/errors';
import { signUserToken, type CurrentUser, type JwtSignOptions } from '@glotixz/common/express';
import type { SessionsRepo } from '../sessions/sessions.repo';
import type { AccountBackoff } from './account-backoff';
import type { HashingQueue } from './hashing-queue';
import { decoyHash, hashPassword, verifyPassword } from './password';
import type { AuthDb } from '../db/db';
import type { UsersRepo } from './users.repo';

/** A user together with the token that signs them in. */
export interface Session {
  user: CurrentUser;
  token: string;
}

/** What the users service works with. */
export interface UsersServiceDeps {
  db: AuthDb;
  users: UsersRepo;
  sessions: SessionsRepo;
  backoff: AccountBackoff;
  hashing: HashingQueue;
  jwt: JwtSignOptions;
}

/** Sign-up, sign-in and sign-out rules. Emails arrive already normalised by the route schema. */
export function createUsersService({ db, users, sessions, backoff, hashing, jwt }: UsersServiceDeps) {
  const newSession = (user: CurrentUser) => {
    const id = randomUUID();
    return {
      row: { id, userId: user.id, expiresAt: new Date(Date.now() + jwt.ttlSeconds * 1000) },
      session: { user: { id: user.id, email: user.email }, token: signUserToken(user, jwt, id) },
    };
  };

  return {
    async signup(email: string, password: string): Promise<Session> {
      const passwordHash = await hashing.run('signup', () => hashPassword(password));
      return db.transaction(async (tx) => {
        const user = await users.insert(tx, email, passwordHash);
        if (!user) throw new AppError('EMAIL_IN_USE', 'An account with this email already exists');
        const { row, session } = newSession(user);
        await sessions.insert(row, tx);
        return session;
      });
    },

    async signin(email: string, password: string): Promise<Session> {
      const { hasFailures } = await backoff.claim(email);
      const user = await users.findByEmail(email);
      const valid = await hashing.run('signin', async () =>
        verifyPassword(password, user?.passwordHash ?? (await decoyHash())),
      );
      if (!user || !valid) {
        await backoff.failed(email);
        throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect');
      }
      if (hasFailures) await backoff.succeeded(email);
      const { row, session } = newSession(user);
      await sessions.insert(row);
      return session;
    },

    /** Revokes one session (sign-out): its tokens are refused from now on, everywhere. */
    async signout(userId: string, sessionId: string): Promise<void> {
      await sessions.revoke(sessionId, userId);
    },

    /** Revokes every session of the user (sign out everywhere); answers how many were live. */
    async signoutEverywhere(userId: string): Promise<number> {
      return sessions.revokeAll(userId);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
