import { createServiceApp, sessionOptions, type ServiceApp } from '@glotixz/common/express';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from './config';
import { createUsersRepo, type AuthDb } from './users/users.repo';
import { usersRoutes } from './users/users.routes';
import { createUsersService } from './users/users.service';

/** What the auth app needs from the outside world. */
export interface AppDeps {
  config: Config;
  db: AuthDb;
  logger: Logger;
}

/** Builds the auth Express app. No side effects: `main.ts` listens, tests drive it with supertest. */
export function createApp({ config, db, logger }: AppDeps): ServiceApp {
  const users = createUsersService(createUsersRepo(db), {
    privateKey: config.JWT_PRIVATE_KEY,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.JWT_TTL_SECONDS,
  });
  return createServiceApp({
    service: 'auth',
    logger,
    ...sessionOptions(config, config.JWT_TTL_SECONDS * 1000),
    routes: usersRoutes(
      users,
      { maxFailures: config.SIGNIN_MAX_FAILURES, windowSeconds: config.SIGNIN_WINDOW_SECONDS },
      db,
    ),
    docsPath: '/api/users/docs',
    docsTitle: 'Glotixz auth API',
    readiness: { postgres: () => db.execute(sql`select 1`) },
  });
}
