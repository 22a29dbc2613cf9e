export * from './backoff';
export * from './bus';
export * from './message';
export type {
  BatchEntry,
  BatchEntryOutcome,
  BatchHandler,
  ConsumeOptions,
  ConsumerHandle,
  EventHandler,
  MessageContext,
} from './consumer.types';
export * from './declared-consumer';
export * from './dead-letter';
export * from './inbox';
export * from './outbox.enqueue';
export * from './outbox.relay';
export * from './outbox.schema';
export * from './retry-later.error';
export * from './messaging';
export * from './metrics';
export * from './revocation-listener';
