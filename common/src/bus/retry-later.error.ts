/**
 * Thrown by a consumer handler to have its message redelivered after `delayMs` without counting
 * as a failure, e.g. a replica that received version n+2 before n+1 (I3). The message is never
 * dead-lettered for it.
 */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';

  constructor(
    /** How long JetStream waits before redelivering the message. */
    readonly delayMs: number,
    message = `retry in ${delayMs} ms`,
  ) {
    super(message);
  }
}
