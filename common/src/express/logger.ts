import pino, { type Logger } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  service: string;
  level: string;
}

/** A pino JSON logger tagged with the service name. */
export function createLogger({ service, level }: LoggerOptions): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      remove: true,
    },
  });
}
