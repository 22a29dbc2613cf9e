import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import pino, { type Level, type Logger } from 'pino';

declare module 'http' {
  interface IncomingMessage {
    /** The request id: the caller's `x-request-id` when it is a sane one, else a fresh UUID. */
    id: string;
    /** A logger whose lines carry the request (`req`), set by {@link requestLogging}. */
    log: Logger;
  }
}

/** Options of {@link requestLogging}. */
export interface RequestLoggingOptions {
  /** Requests answered without an access log line (probes, `/metrics`). */
  ignore?: (req: IncomingMessage) => boolean;
}

const requestIdPattern = /^[\w.-]{1,128}$/;

/** The level of a request's access line: error for a 5xx or a failure, warn for a 4xx. */
function levelOf(statusCode: number, failed: boolean): Level {
  if (failed || statusCode >= 500) return 'error';
  return statusCode >= 400 ? 'warn' : 'info';
}

/**
 * Request ids and access logs, in the lines pino-http writes (`req`, `res`, `responseTime`,
 * `request completed` / `request errored` / `request aborted`, the same serializers), for less
 * work per request: the request's logger (`req.log`, whose lines carry `req`) is made when a line
 * is written, not for every request, and an access line whose level is off costs nothing.
 *
 * Each request gets an id, the caller's `x-request-id` when it is a sane one, else a fresh UUID,
 * echoed in the response's `x-request-id`.
 */
export function requestLogging(logger: Logger, options: RequestLoggingOptions = {}): RequestHandler {
  // pino-http's serializers, wrapped as it wraps them, so the lines keep their shape.
  const { wrapRequestSerializer, wrapResponseSerializer, wrapErrorSerializer } = pino.stdSerializers;
  type Wrapped<W extends (custom: never) => unknown> = Parameters<W>[0];
  const base = logger.child(
    {},
    {
      serializers: {
        req: wrapRequestSerializer(
          pino.stdSerializers.req as unknown as Wrapped<typeof wrapRequestSerializer>,
        ),
        res: wrapResponseSerializer(
          pino.stdSerializers.res as unknown as Wrapped<typeof wrapResponseSerializer>,
        ),
        err: wrapErrorSerializer(pino.stdSerializers.err as unknown as Wrapped<typeof wrapErrorSerializer>),
      },
    },
  );
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('x-request-id', id);
    let log: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: false,
      get: () => (log ??= base.child({ req })),
      set: (value: Logger) => {
        log = value;
      },
    });
    if (!options.ignore?.(req)) {
      const started = Date.now();
      const done = (error?: Error) => {
        res.removeListener('close', done);
        res.removeListener('finish', done);
        res.removeListener('error', done);
        const failed = error !== undefined || res.statusCode >= 500;
        const level = levelOf(res.statusCode, error !== undefined);
        if (!base.isLevelEnabled(level)) return;
        const responseTime = Date.now() - started;
        if (failed) {
          const err = error ?? new Error(`failed with status code ${res.statusCode}`);
          req.log[level]({ res, err, responseTime }, 'request errored');
          return;
        }
        const message = !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted';
        req.log[level]({ res, responseTime }, message);
      };
      res.on('close', done);
      res.on('finish', done);
      res.on('error', done);
    }
    next();
  };
}
