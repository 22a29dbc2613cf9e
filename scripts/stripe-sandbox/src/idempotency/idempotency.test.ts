import { IdempotencyStore, fingerprintOf } from './idempotency';

describe('fingerprintOf', () => {
  it('compares parameters regardless of their order', () => {
    expect(fingerprintOf({ a: '1', m: { y: '2', x: '1' } })).toBe(
      fingerprintOf({ m: { x: '1', y: '2' }, a: '1' }),
    );
    expect(fingerprintOf({ a: '1' })).not.toBe(fingerprintOf({ a: '2' }));
  });
});

describe('IdempotencyStore', () => {
  it('forgets a key whose request ended without a saved response', () => {
    const store = new IdempotencyStore();
    const first = store.claim('sk_test_a', 'k', 'POST', '/v1/refunds');
    expect(() => store.claim('sk_test_a', 'k', 'POST', '/v1/refunds')).toThrow(/in-progress/);
    first.release();
    expect(store.claim('sk_test_a', 'k', 'POST', '/v1/refunds').claim.kind).toBe('owner');
  });

  it('keeps a saved response after the request ended', () => {
    const store = new IdempotencyStore();
    const first = store.claim('sk_test_a', 'k', 'POST', '/v1/refunds');
    if (first.claim.kind !== 'owner') throw new Error('expected to own the key');
    first.claim.complete(fingerprintOf({ amount: '1' }));
    first.claim.save({ status: 200, json: '{}', requestId: 'req_1' });
    first.release();
    const second = store.claim('sk_test_a', 'k', 'POST', '/v1/refunds').claim;
    expect(second.kind).toBe('replay');
  });

  it('refuses keys longer than 255 characters', () => {
    expect(() => new IdempotencyStore().claim('sk_test_a', 'k'.repeat(256), 'POST', '/v1/refunds')).toThrow(
      /at most 255/,
    );
  });
});
