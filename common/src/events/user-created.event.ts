import { z } from 'zod';
import { idSchema, isoUtcSchema } from './primitives';

/**
 * Fires when someone signs up. Published by auth through its outbox, in the transaction that
 * creates the account; a service that writes to users (notifications) keeps a replica of them
 * from it.
 */
export const userCreatedSubject = 'user.created';

/** The `data` of a `user.created` event: the account as it was created. */
export const userCreatedSchema = z.object({
  id: idSchema,
  /** Stored normalised: trimmed and lower case. */
  email: z.email(),
  createdAt: isoUtcSchema,
});

/** The `data` of a `user.created` event. */
export type UserCreatedData = z.infer<typeof userCreatedSchema>;
