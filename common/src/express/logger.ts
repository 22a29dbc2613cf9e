import pino, { type DestinationStream, type Logger } from 'pino';
import { traceLogFields } from '../tracing/propagation';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  service: string;
  level: string;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/**
 * A pino JSON logger tagged with the service name. Every line written inside a span carries its
 * `trace_id` and `span_id`, so a log line leads to its trace and back.
 */
export function createLogger({ service, level, destination }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceLogFields,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      remove: true,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
