export * from './db';
export * from './nats';
export * from './auth';
export * from './wait';
export * from './service-testbed';
export * from './tracing';
export * from './openapi-fuzz';
export * from './openapi-lint';
