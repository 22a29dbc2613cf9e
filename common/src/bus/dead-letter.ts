import { z } from 'zod';

/** Why a message was dead-lettered. */
export const deadLetterReasonSchema = z.enum(['invalid', 'failed']);

/**
 * The body of a message on `deadletter.<durable>`: a message a consumer gave up on, either at once
 * because it broke the contract (`invalid`) or after its handler failed on every allowed delivery
 * (`failed`).
 */
export const deadLetterSchema = z.object({
  reason: deadLetterReasonSchema,
  consumer: z.string(),
  subject: z.string(),
  streamSequence: z.number().int(),
  deliveries: z.number().int(),
  error: z.string(),
  payload: z.string(),
  headers: z.record(z.string(), z.string()),
  failedAt: z.iso.datetime(),
});

/** The body of a dead-letter message; see {@link deadLetterSchema}. */
export type DeadLetter = z.infer<typeof deadLetterSchema>;
