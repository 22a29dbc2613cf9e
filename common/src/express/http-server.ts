import http, { type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { RAW_ANSWER_HEADERS } from './security-headers';

/**
 * How long the HTTP server keeps an idle connection open: longer than any proxy in front keeps
 * its idle upstream connections (the Istio DestinationRules say 60 s).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Defaults of {@link HttpSettings}' timeouts (`HTTP_HEADERS_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS`). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Where a service listens and how long it waits for a request: the fields of `httpEnv` and `PORT`. */
export interface HttpSettings {
  PORT: number;
  /** The listen address; unset: every interface (what a pod needs). */
  HOST?: string | undefined;
  /** Time from a request's first byte to the end of its headers. */
  HTTP_HEADERS_TIMEOUT_MS?: number;
  /** Time from a request's first byte to the end of its body. */
  HTTP_REQUEST_TIMEOUT_MS?: number;
}

function rawAnswer(status: number, code: string, message: string): string {
  const body = JSON.stringify({ code, message });
  const head = [
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(RAW_ANSWER_HEADERS).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

/** The answer to a request the client did not send in time or in shape. */
function clientErrorAnswer(error: NodeJS.ErrnoException): string {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return rawAnswer(408, 'REQUEST_TIMEOUT', 'the request did not arrive in time');
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return rawAnswer(431, 'HEADERS_TOO_LARGE', 'the request headers are too large');
  }
  return rawAnswer(400, 'BAD_REQUEST', 'malformed request');
}

/**
 * The HTTP server of a service: a slow client (headers or body trickled in) is answered
 * 408 REQUEST_TIMEOUT with a JSON body and cut off once its timeout has passed, a malformed
 * request 400 BAD_REQUEST; idle keep-alive connections last {@link KEEP_ALIVE_TIMEOUT_MS}.
 */
export function createHttpServer(app: Express, settings: HttpSettings): Server {
  const requestTimeout = settings.HTTP_REQUEST_TIMEOUT_MS ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(
    settings.HTTP_HEADERS_TIMEOUT_MS ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeout,
  );
  const server = http.createServer(
    {
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      // How often the timeouts are checked (Node's default is every 30 s).
      connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeout / 4)),
    },
    app,
  );
  // The answer in flight on each connection: a timeout answers only if it has not started.
  const answers = new WeakMap<Duplex, ServerResponse>();
  server.on('request', (req: http.IncomingMessage, res: ServerResponse) => answers.set(req.socket, res));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code !== 'ECONNRESET' && socket.writable && !answers.get(socket)?.headersSent) {
      socket.end(clientErrorAnswer(error));
      // Ending only half-closes: a client that keeps sending, or never reads, is cut off shortly.
      setTimeout(() => socket.destroy(), 1000).unref();
    } else {
      socket.destroy();
    }
  });
  return server;
}

/** Creates the server ({@link createHttpServer}) and resolves once it listens on HOST:PORT. */
export function listenHttp(app: Express, settings: HttpSettings): Promise<Server> {
  const server = createHttpServer(app, settings);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.PORT, settings.HOST, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
