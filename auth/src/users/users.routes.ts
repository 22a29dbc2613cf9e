import { defineRoute, endSession, startSession, type CurrentUser } from '@glotixz/common/express';
import type { Request, RequestHandler, Response } from 'express';
import {
  currentUserResponseSchema,
  credentialsSchema,
  signedInSchema,
  signedOutEverywhereSchema,
} from './users.schemas';
import type { Session, UsersService } from './users.service';

const tags = ['users'];

/** The rate limiters the routes mount after validation. */
export interface UsersLimiters {
  signup: RequestHandler[];
  signin: RequestHandler[];
}

/**
 * What sign-out answers besides clearing the cookie: the browser drops this site's cookies and
 * storage too, so nothing of the session stays behind on a shared computer.
 */
const CLEAR_SITE_DATA = '"cookies", "storage"';

/** The auth routes: the table first, handlers below. */
export function usersRoutes(users: UsersService, limiters: UsersLimiters) {
  const routes = [
    defineRoute({
      method: 'post',
      path: '/api/users/signup',
      operationId: 'signUp',
      summary: 'Create an account and sign in',
      tags,
      body: credentialsSchema,
      afterValidation: limiters.signup,
      responses: { 201: { description: 'Signed up and signed in', schema: signedInSchema } },
      errors: ['EMAIL_IN_USE', 'RATE_LIMITED', 'SERVER_BUSY'],
      handler: async (req, res) => {
        const session = await users.signup(req.body.email, req.body.password);
        signedIn(req, res, 201, session);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/signin',
      operationId: 'signIn',
      summary: 'Sign in with email and password',
      tags,
      body: credentialsSchema,
      afterValidation: limiters.signin,
      responses: { 200: { description: 'Signed in', schema: signedInSchema } },
      errors: ['INVALID_CREDENTIALS', 'RATE_LIMITED', 'SERVER_BUSY'],
      handler: async (req, res) => {
        const session = await users.signin(req.body.email, req.body.password);
        signedIn(req, res, 200, session);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/signout',
      operationId: 'signOut',
      summary: 'Sign out this session',
      description:
        'Revokes the session of the token the request carries (cookie or Bearer): every service refuses that token from then on. Clears the session cookie and answers `Clear-Site-Data`. Without a live session it only clears the cookie.',
      tags,
      responses: { 204: { description: 'Signed out' } },
      errors: ['CROSS_ORIGIN_REQUEST'],
      handler: async (req, res) => {
        if (req.currentUser && req.currentSession)
          await users.signout(req.currentUser.id, req.currentSession.id);
        signedOut(req, res);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/signout-all',
      summary: 'Sign out everywhere',
      description:
        "Revokes every live session of the signed-in user, on every device: each service refuses their tokens from then on. Clears this browser's session cookie and answers `Clear-Site-Data`.",
      tags,
      auth: 'required',
      responses: {
        200: { description: 'Signed out everywhere', schema: signedOutEverywhereSchema },
      },
      errors: ['CROSS_ORIGIN_REQUEST'],
      handler: async (req, res) => {
        const revoked = await users.signoutEverywhere(req.currentUser.id);
        signedOut(req, res);
        res.status(200).json({ revokedSessions: revoked });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/users/currentuser',
      operationId: 'getCurrentUser',
      summary: 'The signed-in user, or null',
      tags,
      responses: { 200: { description: 'The current user', schema: currentUserResponseSchema } },
      handler: currentUser,
    }),
  ];
  return routes;
}

function signedIn(req: Request, res: Response, status: number, session: Session): void {
  startSession(req, session.token);
  res.status(status).json({ ...session.user, token: session.token });
}

function signedOut(req: Request, res: Response): void {
  endSession(req);
  res.setHeader('Clear-Site-Data', CLEAR_SITE_DATA);
}

function currentUser(req: Request, res: Response): void {
  const user: CurrentUser | undefined = req.currentUser;
  res.json({ currentUser: user ? { id: user.id, email: user.email } : null });
}
