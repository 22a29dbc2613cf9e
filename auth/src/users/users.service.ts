import { AppError } from '@glotixz/common/errors';
import { signUserToken, type CurrentUser, type JwtSignOptions } from '@glotixz/common/express';
import { decoyHash, hashPassword, verifyPassword } from './password';
import type { UsersRepo } from './users.repo';

/** A user together with the token that signs them in. */
export interface Session {
  user: CurrentUser;
  token: string;
}

/** Sign-up and sign-in rules. Emails arrive already normalised by the route schema. */
export function createUsersService(repo: UsersRepo, jwt: JwtSignOptions) {
  const sessionFor = (user: CurrentUser): Session => ({
    user: { id: user.id, email: user.email },
    token: signUserToken({ id: user.id, email: user.email }, jwt),
  });

  return {
    async signup(email: string, password: string): Promise<Session> {
      const passwordHash = await hashPassword(password);
      const user = await repo.insert(email, passwordHash);
      if (!user) throw new AppError('EMAIL_IN_USE', 'An account with this email already exists');
      return sessionFor(user);
    },

    async signin(email: string, password: string): Promise<Session> {
      const user = await repo.findByEmail(email);
      const valid = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
      if (!user || !valid) throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect');
      return sessionFor(user);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
