import { settleFailure, type FailurePolicy } from './failure-policy';
import { RetryLater } from './retry-later.error';

const policy: FailurePolicy = {
  maxDeliver: 3,
  retryLaterLimitMs: 60_000,
  backoff: { baseMs: 100, capMs: 1_000 },
};

describe('settleFailure()', () => {
  it('naks a failed delivery with backoff until the last allowed delivery, then dead-letters it', () => {
    const err = new Error('db down');
    expect(settleFailure(err, { deliveryCount: 1, waitedMs: 0 }, policy)).toEqual({
      action: 'nak',
      delayMs: 100,
      outcome: 'retried',
    });
    expect(settleFailure(err, { deliveryCount: 2, waitedMs: 0 }, policy)).toMatchObject({ delayMs: 200 });
    expect(settleFailure(err, { deliveryCount: 3, waitedMs: 0 }, policy)).toEqual({
      action: 'dead-letter',
      reason: 'failed',
      error: 'db down',
    });
  });

  it('redelivers a RetryLater after its own delay, whatever the delivery count, until the wait limit', () => {
    const later = new RetryLater(750, 'predecessor missing');
    expect(settleFailure(later, { deliveryCount: 40, waitedMs: 59_000 }, policy)).toEqual({
      action: 'nak',
      delayMs: 750,
      outcome: 'retry_later',
    });
    expect(settleFailure(later, { deliveryCount: 41, waitedMs: 61_000 }, policy)).toEqual({
      action: 'dead-letter',
      reason: 'failed',
      error: 'still waiting after 61 s: predecessor missing',
    });
  });
});
