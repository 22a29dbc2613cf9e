import { z } from 'zod';
import { idSchema, isoUtcSchema } from './primitives';

/**
 * Fires when someone asks to reset the password of an existing account. Published by auth through
 * its outbox, in the transaction that stores the token's hash; consumed by notifications, which
 * mails the reset link. `token` is the secret itself (auth keeps only its SHA-256 hash): it is
 * single-use and worthless after `expiresAt`, so the stream's short life bounds its exposure.
 */
export const userPasswordResetRequestedSubject = 'user.password-reset-requested';

/** The `data` of a `user.password-reset-requested` event. */
export const userPasswordResetRequestedSchema = z.object({
  userId: idSchema,
  email: z.email(),
  /** 32 random bytes, base64url. */
  token: z.string().min(32),
  expiresAt: isoUtcSchema,
});

/** The `data` of a `user.password-reset-requested` event. */
export type UserPasswordResetRequestedData = z.infer<typeof userPasswordResetRequestedSchema>;
