import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { eventSchemas, isSubject } from './event-map';
import type { EventMap, Subject } from './event-map';
import { isoUtcSchema } from './primitives';

/** The version of the envelope and data contracts that this code writes. */
export const contractVersion = 1;

/**
 * The envelope every event travels in. `id` is unique per event and doubles as the JetStream
 * `msgID` (deduplication) and the inbox key (I2); `version` is the contract version, not the
 * aggregate's.
 */
export interface Envelope<S extends Subject = Subject> {
  id: string;
  subject: S;
  version: number;
  occurredAt: string;
  data: EventMap[S];
}

/** An envelope of any subject, discriminated by `subject`. */
export type AnyEnvelope = { [S in Subject]: Envelope<S> }[Subject];

/** The shape of an envelope with its `data` left unchecked; see {@link parseEnvelope}. */
export const envelopeSchema = z.object({
  id: z.uuid(),
  subject: z.string().refine(isSubject, { message: 'unknown subject' }),
  version: z.number().int().positive(),
  occurredAt: isoUtcSchema,
  data: z.unknown(),
});

/** Options of {@link createEnvelope}. */
export interface CreateEnvelopeOptions {
  /** The event id; a fresh UUID by default. */
  id?: string;
  /** When the change happened; now by default. */
  occurredAt?: Date;
}

/**
 * Thrown when the service builds an event that breaks its own contract. It is a fault of the
 * service, not of whoever sent the request that caused it, so it is deliberately not a `ZodError`:
 * the HTTP error handler answers it 500 without internals instead of 400 with the issues.
 */
export class EventContractError extends Error {
  override readonly name = 'EventContractError';

  constructor(
    readonly subject: Subject,
    /** The schema's complaint (kept for the log, never sent to a client). */
    override readonly cause: z.ZodError,
  ) {
    super(`${subject} event breaks its contract: ${z.prettifyError(cause)}`);
  }
}

/**
 * Wraps the `data` of an event in a new envelope, after validating it against its subject's schema.
 * @throws EventContractError when `data` breaks the contract.
 */
export function createEnvelope<S extends Subject>(
  subject: S,
  data: EventMap[S],
  options: CreateEnvelopeOptions = {},
): Envelope<S> {
  const parsed = eventSchemas[subject].safeParse(data);
  if (!parsed.success) throw new EventContractError(subject, parsed.error);
  return {
    id: options.id ?? randomUUID(),
    subject,
    version: contractVersion,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    data: parsed.data as EventMap[S],
  };
}

/** The outcome of {@link safeParseEnvelope}. */
export type EnvelopeParseResult =
  { success: true; envelope: AnyEnvelope } | { success: false; error: string };

/**
 * Validates an untrusted value (e.g. a parsed message body) as an envelope whose `data` matches
 * its subject's schema. Unknown fields are dropped, so publishers may add fields safely.
 */
export function safeParseEnvelope(raw: unknown): EnvelopeParseResult {
  const outer = envelopeSchema.safeParse(raw);
  if (!outer.success) return { success: false, error: `invalid envelope: ${z.prettifyError(outer.error)}` };
  const subject = outer.data.subject;
  const data = eventSchemas[subject].safeParse(outer.data.data);
  if (!data.success) {
    return { success: false, error: `invalid ${subject} data: ${z.prettifyError(data.error)}` };
  }
  return { success: true, envelope: { ...outer.data, subject, data: data.data } as AnyEnvelope };
}

/**
 * Like {@link safeParseEnvelope}, but throws.
 * @throws Error when `raw` is not a valid envelope.
 */
export function parseEnvelope(raw: unknown): AnyEnvelope {
  const result = safeParseEnvelope(raw);
  if (!result.success) throw new Error(result.error);
  return result.envelope;
}
