import { z } from 'zod';

/** An email, trimmed and lower-cased before it is checked or stored. */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'Email must be at most 254 characters')
  .pipe(z.email('Enter a valid email address'))
  // The document shows the input side of the pipe, a plain string; say what it must be.
  .meta({ example: 'buyer@example.com', format: 'email' });

/** A password as sign-up and a password reset accept it. */
export const passwordSchema = z
  .string()
  .min(8, 'Password must be at least 8 characters')
  .max(128, 'Password must be at most 128 characters')
  .meta({ example: 'correct horse battery' });

/** Sign-up and sign-in body. */
export const credentialsSchema = z
  .object({
    email: emailSchema,
    password: passwordSchema,
  })
  .strict()
  .meta({ id: 'Credentials' });

/** A user as the API shows it. */
export const userSchema = z.object({ id: z.uuid(), email: z.string() }).meta({ id: 'User' });

/** Sign-up and sign-in answer: the user, plus a bearer token for API clients. */
export const signedInSchema = userSchema
  .extend({ token: z.string().meta({ description: 'ES256 JWT, also set in the session cookie' }) })
  .meta({ id: 'SignedIn' });

/** `GET /api/users/currentuser` answer. */
export const currentUserResponseSchema = z
  .object({ currentUser: userSchema.nullable() })
  .meta({ id: 'CurrentUserResponse' });

/** `POST /api/users/signout-all` answer. */
export const signedOutEverywhereSchema = z
  .object({
    revokedSessions: z
      .number()
      .int()
      .nonnegative()
      .meta({ description: 'Sessions that were live and are now revoked' }),
  })
  .meta({ id: 'SignedOutEverywhere' });
