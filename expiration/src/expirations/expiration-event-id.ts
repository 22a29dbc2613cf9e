import { createHash } from 'node:crypto';

/** The namespace of expiration event ids; never change it, or retried jobs get new ids. */
export const expirationEventNamespace = '3a1b720d-5bf8-4408-8b9f-25de16281adc';

/**
 * A name-based (version 5, RFC 9562) UUID from `namespace` and `name`: the same inputs always
 * give the same id.
 */
export function uuidV5(namespace: string, name: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (namespaceBytes.length !== 16) throw new Error(`invalid namespace UUID "${namespace}"`);
  const bytes = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the `expiration.completed` event of an order. Derived from the order id, so a retried
 * job or a restarted worker publishes the same id, and JetStream's `msgID` deduplication and the
 * consumers' inbox both drop the repeat.
 */
export function expirationEventId(orderId: string): string {
  return uuidV5(expirationEventNamespace, orderId.toLowerCase());
}
