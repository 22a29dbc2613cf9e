import { defineRoute, endSession, startSession, type CurrentUser } from '@glotixz/common/express';
import type { Request, Response } from 'express';
import { signinRateLimit, type SigninLimits } from './signin-rate-limit';
import type { AuthDb } from './users.repo';
import { credentialsSchema, currentUserResponseSchema, signedInSchema } from './users.schemas';
import type { Session, UsersService } from './users.service';

const tags = ['users'];

/** The auth routes: the table first, handlers below. */
export function usersRoutes(users: UsersService, limits: SigninLimits, db: AuthDb) {
  const routes = [
    defineRoute({
      method: 'post',
      path: '/api/users/signup',
      operationId: 'signUp',
      summary: 'Create an account and sign in',
      tags,
      body: credentialsSchema,
      responses: { 201: { description: 'Signed up and signed in', schema: signedInSchema } },
      errors: ['EMAIL_IN_USE'],
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
      before: signinRateLimit(limits, db),
      responses: { 200: { description: 'Signed in', schema: signedInSchema } },
      errors: ['INVALID_CREDENTIALS', 'RATE_LIMITED'],
      handler: async (req, res) => {
        const session = await users.signin(req.body.email, req.body.password);
        signedIn(req, res, 200, session);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users/signout',
      operationId: 'signOut',
      summary: 'Sign out (clears the session cookie)',
      tags,
      responses: { 204: { description: 'Signed out' } },
      handler: signout,
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

function signout(req: Request, res: Response): void {
  endSession(req);
  res.status(204).end();
}

function currentUser(req: Request, res: Response): void {
  const user: CurrentUser | undefined = req.currentUser;
  res.json({ currentUser: user ? { id: user.id, email: user.email } : null });
}
