import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors';
import { verifyUserToken, type CurrentUser, type JwtVerifyOptions } from './jwt';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by {@link currentUser} when the request carries a valid token. */
      currentUser?: CurrentUser;
    }
  }
}

/** The session payload kept in the signed cookie. */
export interface SessionData {
  jwt?: string;
}

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

function sessionToken(req: Request): string | undefined {
  const session = req.session as SessionData | null | undefined;
  return typeof session?.jwt === 'string' ? session.jwt : undefined;
}

/**
 * Reads the JWT from `Authorization: Bearer` or else from the session cookie and, when it
 * verifies, sets `req.currentUser`. An invalid token leaves the request anonymous.
 */
export function currentUser(options: JwtVerifyOptions): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req) ?? sessionToken(req);
    if (token) {
      const user = verifyUserToken(token, options);
      if (user) req.currentUser = user;
    }
    next();
  };
}

/** Starts a session: the signed cookie carries the token from now on. */
export function startSession(req: Request, token: string): void {
  req.session = { jwt: token } satisfies SessionData;
}

/** Ends the session: the cookie is cleared. */
export function endSession(req: Request): void {
  req.session = null;
}

/** Answers 401 `NOT_AUTHENTICATED` unless {@link currentUser} found a valid token. */
export const requireAuth: RequestHandler = (req, _res, next) => {
  if (!req.currentUser) {
    next(new AppError('NOT_AUTHENTICATED', 'Sign in to continue'));
    return;
  }
  next();
};
