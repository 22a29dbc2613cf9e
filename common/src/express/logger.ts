import pino, { type DestinationStream, type Logger } from 'pino';
import { traceLogFields } from '../tracing/propagation';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  service: string;
  level: string;
  /** Where lines go; stdout, written in batches, by default. */
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
  return pino(options, destination ?? bufferedStdout());
}

/**
 * Stdout written in batches: a line waits until 4 KiB are pending or 100 ms have passed, so a
 * busy service makes a write a batch instead of a write per line (a syscall each, the largest
 * cost of a consumer that logs each message). pino flushes it synchronously when the process
 * exits, a crash's `exit` included; only a process killed outright (SIGKILL) loses its last
 * 100 ms of lines.
 */
function bufferedStdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
}
