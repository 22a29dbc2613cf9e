import { safeParseEnvelope } from '../events';
import type { Envelope, Subject } from '../events';
import { errorMessage } from './failure-policy';

/** A delivery's body read as an event of the consumer's subject, or why it is not one. */
export type DecodedDelivery<S extends Subject> =
  { valid: true; envelope: Envelope<S> } | { valid: false; error: string };

/**
 * Reads a message body as an envelope of `subject`. A body that is not JSON, breaks the envelope
 * or data contract, or names another subject is invalid: retrying it cannot help.
 */
export function decodeDelivery<S extends Subject>(body: string, subject: S): DecodedDelivery<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    return { valid: false, error: `invalid JSON: ${errorMessage(err)}` };
  }
  const parsed = safeParseEnvelope(raw);
  if (!parsed.success) return { valid: false, error: parsed.error };
  if (parsed.envelope.subject !== subject) {
    return { valid: false, error: `envelope subject "${parsed.envelope.subject}" on a ${subject} consumer` };
  }
  return { valid: true, envelope: parsed.envelope as Envelope<S> };
}
