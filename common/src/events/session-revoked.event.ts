import { z } from 'zod';
import { idSchema, isoUtcSchema } from './primitives';

/**
 * Fires when sessions end before their tokens expire: a user signed out (one session) or signed
 * out everywhere (every live session of the user, in events of at most
 * {@link maxSessionsPerRevocation} sessions). Published by auth; every service that verifies
 * tokens (tickets, orders, payments) keeps the revoked session ids in memory from a per-process
 * consumer that replays the last token lifetime at start-up, and refuses their tokens with 401.
 */
export const sessionRevokedSubject = 'session.revoked';

/** The most session ids one `session.revoked` event carries. */
export const maxSessionsPerRevocation = 500;

/** The `data` of a `session.revoked` event. */
export const sessionRevokedSchema = z.object({
  userId: idSchema,
  /** The `sid` claims of the revoked tokens. */
  sessionIds: z.array(idSchema).min(1).max(maxSessionsPerRevocation),
  /** When the last of these tokens expires: after it, the revocation need not be remembered. */
  expiresAt: isoUtcSchema,
});

/** The `data` of a `session.revoked` event. */
export type SessionRevokedData = z.infer<typeof sessionRevokedSchema>;
