import { randomUUID } from 'node:crypto';
import { createEnvelope, expirationCompletedSubject } from '@glotixz/common/events';
import { expirationEventId, uuidV5 } from './expiration-event-id';

describe('expiration event ids', () => {
  it('computes RFC 9562 version 5 UUIDs (the python.org vector in the DNS namespace)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('gives an order the same id every time, and different orders different ids', () => {
    const order = randomUUID();
    expect(expirationEventId(order)).toBe(expirationEventId(order));
    expect(expirationEventId(order.toUpperCase())).toBe(expirationEventId(order));
    expect(expirationEventId(randomUUID())).not.toBe(expirationEventId(order));
    expect(expirationEventId(order)).not.toBe(order);
  });

  it('is a valid envelope id', () => {
    const id = expirationEventId(randomUUID());
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(createEnvelope(expirationCompletedSubject, { orderId: randomUUID() }, { id }).id).toBe(id);
  });

  it('rejects a malformed namespace', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow(/invalid namespace/);
  });
});
