export * from './db';
export * from './nats';
export * from './auth';
export * from './wait';
export * from './service-testbed';
export * from './tracing';
