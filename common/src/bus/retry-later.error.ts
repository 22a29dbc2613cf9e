/**
 * Thrown by a consumer handler to have its message redelivered after `delayMs` without counting
 * as a failure, e.g. a replica that received version n+2 before n+1 (I3). The message is
 * dead-lettered for it only once it has waited longer than the consumer's `retryLaterLimitMs`
 * (default 24 h): a predecessor that never arrives must not keep it circling forever.
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
