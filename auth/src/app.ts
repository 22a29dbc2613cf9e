import { createServiceApp, type ServiceApp } from '@glotixz/common/express';
import { appDefaults, type AppDeps as BaseAppDeps } from '@glotixz/common/service';
import type { Config } from './config';
import { createPasswordResetsRepo } from './password-resets/password-resets.repo';
import { passwordResetRoutes } from './password-resets/password-resets.routes';
import { createPasswordResetsService } from './password-resets/password-resets.service';
import { createSessionsRepo } from './sessions/sessions.repo';
import { createAccountBackoff } from './users/account-backoff';
import { HashingQueue } from './users/hashing-queue';
import {
  passwordResetConfirmRateLimit,
  passwordResetRateLimit,
  signinRateLimit,
  signupRateLimit,
} from './users/signin-rate-limit';
import type { AuthDb } from './db/db';
import { createUsersRepo } from './users/users.repo';
import { usersRoutes } from './users/users.routes';
import { createUsersService } from './users/users.service';

/**
 * What the auth app needs from the outside world. Its `natsReady` is the outbox relay's NATS
 * (`session.revoked`); `revocations` is not read: auth asks its own sessions table.
 */
export type AppDeps = BaseAppDeps<Config, AuthDb>;

/** Builds the auth Express app. No side effects: `main.ts` listens, tests drive it with supertest. */
export function createApp(deps: AppDeps): ServiceApp {
  const { config, db } = deps;
  const sessions = createSessionsRepo(db);
  const usersRepo = createUsersRepo(db);
  const hashing = new HashingQueue({
    concurrency: config.PASSWORD_HASH_CONCURRENCY,
    maxQueued: config.PASSWORD_HASH_QUEUE_MAX,
  });
  const backoff = createAccountBackoff(db, {
    freeFailures: config.SIGNIN_ACCOUNT_FREE_FAILURES,
    maxDelaySeconds: config.SIGNIN_ACCOUNT_MAX_DELAY_SECONDS,
    windowSeconds: config.SIGNIN_ACCOUNT_WINDOW_SECONDS,
  });
  const users = createUsersService({
    db,
    users: usersRepo,
    sessions,
    backoff,
    hashing,
    jwt: {
      privateKey: config.JWT_PRIVATE_KEY,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.JWT_TTL_SECONDS,
    },
  });
  const resets = createPasswordResetsService({
    db,
    resets: createPasswordResetsRepo(db),
    users: usersRepo,
    sessions,
    hashing,
    backoff,
    ttlSeconds: config.PASSWORD_RESET_TTL_SECONDS,
  });
  const resetLimits = {
    maxPerEmail: config.PASSWORD_RESET_MAX_PER_EMAIL,
    maxPerAddress: config.PASSWORD_RESET_MAX_PER_ADDRESS,
    windowSeconds: config.PASSWORD_RESET_WINDOW_SECONDS,
  };
  return createServiceApp({
    ...appDefaults('auth', deps, config.JWT_TTL_SECONDS * 1000),
    // Auth owns the sessions: it asks its database, so a sign-out holds here at once.
    revocations: { isRevoked: (session) => sessions.isRevoked(session.id, session.userId) },
    routes: [
      ...usersRoutes(users, {
        signup: [
          signupRateLimit(
            { maxPerAddress: config.SIGNUP_MAX_PER_ADDRESS, windowSeconds: config.SIGNUP_WINDOW_SECONDS },
            db,
          ),
        ],
        signin: signinRateLimit(
          { maxFailures: config.SIGNIN_MAX_FAILURES, windowSeconds: config.SIGNIN_WINDOW_SECONDS },
          db,
        ),
      }),
      ...passwordResetRoutes(resets, {
        request: passwordResetRateLimit(resetLimits, db),
        confirm: [passwordResetConfirmRateLimit(resetLimits, db)],
      }),
    ],
    docsPath: '/api/users/docs',
    docsTitle: 'Glotixz auth API',
  });
}
