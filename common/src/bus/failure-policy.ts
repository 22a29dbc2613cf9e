import { backoffDelay, type BackoffOptions } from './backoff';
import type { DeadLetter } from './dead-letter';
import type { MessageOutcome } from './metrics';
import { RetryLater } from './retry-later.error';

/** What becomes of one delivery: acked, nak'd with a delay, or terminated with a dead letter. */
export type Settlement =
  | { action: 'ack'; outcome: Extract<MessageOutcome, 'acked' | 'duplicate'> }
  | { action: 'nak'; delayMs: number; outcome: Extract<MessageOutcome, 'retry_later' | 'retried'> }
  | { action: 'dead-letter'; reason: DeadLetter['reason']; error: string };

/** The limits a consumer retries a failing message within; see `ConsumeOptions`. */
export interface FailurePolicy {
  maxDeliver: number;
  retryLaterLimitMs: number;
  backoff: BackoffOptions;
}

/** The delivery a handler failed on. */
export interface FailedDelivery {
  /** 1 on the first delivery. */
  deliveryCount: number;
  /** Since the stream stored the message. */
  waitedMs: number;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The settlement of a delivery whose handler threw `err` (I2): a {@link RetryLater} is redelivered
 * after its delay until it has waited `retryLaterLimitMs`, then dead-lettered as failed; any other
 * error is redelivered with backoff until the `maxDeliver`th delivery, then dead-lettered.
 */
export function settleFailure(err: unknown, delivery: FailedDelivery, policy: FailurePolicy): Settlement {
  if (err instanceof RetryLater) {
    if (delivery.waitedMs < policy.retryLaterLimitMs) {
      return { action: 'nak', delayMs: err.delayMs, outcome: 'retry_later' };
    }
    const seconds = Math.round(delivery.waitedMs / 1000);
    return {
      action: 'dead-letter',
      reason: 'failed',
      error: `still waiting after ${seconds} s: ${err.message}`,
    };
  }
  if (delivery.deliveryCount >= policy.maxDeliver) {
    return { action: 'dead-letter', reason: 'failed', error: errorMessage(err) };
  }
  return {
    action: 'nak',
    delayMs: backoffDelay(delivery.deliveryCount, policy.backoff),
    outcome: 'retried',
  };
}
