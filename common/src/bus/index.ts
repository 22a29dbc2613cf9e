export * from './backoff';
export * from './bus';
export type { ConsumeOptions, ConsumerHandle, EventHandler, MessageContext } from './consume';
export * from './dead-letter';
export * from './inbox';
export * from './outbox.enqueue';
export * from './outbox.relay';
export * from './outbox.schema';
export * from './retry-later.error';
