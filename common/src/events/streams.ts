import type { Subject } from './event-map';

/**
 * The JetStream streams: one per owning service, plus one for dead letters. Keys are the stream
 * names (before any test prefix), values the subject filter each captures.
 */
export const streams = {
  TICKETS: 'ticket.>',
  ORDERS: 'order.>',
  PAYMENTS: 'payment.>',
  EXPIRATION: 'expiration.>',
  SESSIONS: 'session.>',
  USERS: 'user.>',
  DEADLETTER: 'deadletter.>',
} as const;

/** The name of a stream (before any test prefix). */
export type StreamName = keyof typeof streams;

const streamByToken: Record<string, StreamName> = {
  ticket: 'TICKETS',
  order: 'ORDERS',
  payment: 'PAYMENTS',
  expiration: 'EXPIRATION',
  session: 'SESSIONS',
  user: 'USERS',
  deadletter: 'DEADLETTER',
};

/**
 * The stream that captures `subject` (an event subject or a `deadletter.<consumer>` subject).
 * @throws Error when no stream captures the subject.
 */
export function streamFor(subject: Subject | `deadletter.${string}`): StreamName {
  const token = subject.split('.', 1)[0] ?? '';
  const stream = streamByToken[token];
  if (!stream) throw new Error(`no stream captures subject "${subject}"`);
  return stream;
}

/** The subject a consumer writes its dead letters to: `deadletter.<durable>`. */
export function deadLetterSubject(durable: string): `deadletter.${string}` {
  return `deadletter.${durable}`;
}
