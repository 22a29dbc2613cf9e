import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors';
import { isCrossOrigin, isUnsafeMethod } from './cross-origin';
import { createTokenVerifier, type CurrentUser, type JwtVerifyOptions, type TokenSession } from './jwt';
import type { SessionRevocationCheck } from './session-revocations';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by {@link currentUser} when the request carries a valid token. */
      currentUser?: CurrentUser;
      /** The session of that token (its `sid` and expiry), set with {@link Request.currentUser}. */
      currentSession?: TokenSession;
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

/** The session cookie's token; reading `req.session` is what makes cookie-session parse the cookie. */
function sessionToken(req: Request): string | undefined {
  const session = req.session as SessionData | null | undefined;
  return typeof session?.jwt === 'string' ? session.jwt : undefined;
}

/**
 * Reads the JWT from `Authorization: Bearer` or else from the session cookie and, when it
 * verifies and its session was not revoked (`revocations`), sets `req.currentUser` and
 * `req.currentSession`. An invalid or revoked token leaves the request anonymous, so routes that
 * need a user answer 401 `NOT_AUTHENTICATED`.
 *
 * A state-changing request (any method but GET, HEAD, OPTIONS) that the session cookie would
 * authenticate is refused with 403 `CROSS_ORIGIN_REQUEST` when a page of another origin sent it
 * (see {@link isCrossOrigin}): the browser attaches the cookie to such requests, so the cookie
 * alone does not show the user meant them. Bearer requests carry their credential explicitly and
 * are exempt. With a Bearer token the cookie is not read at all.
 *
 * A token is verified once and then remembered until it expires (see {@link createTokenVerifier});
 * its session is checked against `revocations` on every request all the same.
 */
export function currentUser(options: JwtVerifyOptions, revocations?: SessionRevocationCheck): RequestHandler {
  const verifyToken = createTokenVerifier(options);
  return (req: Request, _res: Response, next: NextFunction) => {
    const bearer = bearerToken(req);
    const token = bearer ?? sessionToken(req);
    if (bearer === undefined && token !== undefined && isUnsafeMethod(req.method) && isCrossOrigin(req)) {
      next(new AppError('CROSS_ORIGIN_REQUEST', 'Cross-origin requests may not use the session cookie'));
      return;
    }
    const verified = token ? verifyToken(token) : null;
    if (!verified) {
      next();
      return;
    }
    const accept = (revoked: boolean) => {
      if (!revoked) {
        req.currentUser = verified.user;
        req.currentSession = verified.session;
      }
      next();
    };
    const revoked = revocations?.isRevoked({ ...verified.session, userId: verified.user.id }) ?? false;
    if (typeof revoked === 'boolean') accept(revoked);
    else revoked.then(accept, next);
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
