export * from './db';
export * from './nats';
