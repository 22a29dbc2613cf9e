import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { startTracing } from '../tracing/start-tracing';
import { listenHttp, type HttpSettings } from './http-server';

export { KEEP_ALIVE_TIMEOUT_MS } from './http-server';

/** Resource bookkeeping for one process: what to close, in reverse order of opening. */
export interface Lifecycle {
  /** Registers a closer; shutdown runs closers last-registered first. */
  onShutdown(name: string, close: () => Promise<unknown>): void;
  /**
   * Starts the HTTP server on the service's HOST:PORT with its request timeouts (the config's
   * `httpEnv` fields, or just a port) and registers its graceful close (stop accepting, finish
   * in-flight).
   */
  listen(app: Express, settings: HttpSettings | number): Promise<Server>;
}

/** Options for {@link runService}. */
export interface RunServiceOptions {
  service: string;
  logger: Logger;
  /**
   * `OTEL_EXPORTER_OTLP_ENDPOINT`: the OTLP/HTTP collector spans are exported to. Without it spans
   * are still created (trace ids in logs, headers and messages) but not exported.
   */
  otlpEndpoint?: string;
  /** Hard limit for a graceful shutdown before the process exits anyway. */
  shutdownTimeoutMs?: number;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

/**
 * Runs a service's start-up inside one lifecycle. Tracing starts first (see `startTracing`) and
 * is flushed last. On SIGTERM/SIGINT, a failed start or an
 * unhandled rejection it stops accepting requests, closes every resource in reverse order and
 * exits (0 after a signal, 1 after a failure). `main.ts` files stay free of start-up plumbing.
 */
export async function runService(
  options: RunServiceOptions,
  start: (lifecycle: Lifecycle) => Promise<void>,
): Promise<void> {
  const { logger } = options;
  const closers: { name: string; close: () => Promise<unknown> }[] = [];
  let shuttingDown: Promise<void> | undefined;
  const tracing = startTracing({ service: options.service, endpoint: options.otlpEndpoint, logger });
  // Registered first, so it runs last: the spans of the final requests and messages are exported.
  closers.push({ name: 'tracing', close: () => tracing.shutdown() });

  const shutdown = (reason: string, exitCode: number): Promise<void> => {
    shuttingDown ??= (async () => {
      logger.info({ reason }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error('graceful shutdown timed out');
        process.exit(1);
      }, options.shutdownTimeoutMs ?? 15000);
      timer.unref();
      for (const { name, close } of closers.reverse()) {
        try {
          await close();
        } catch (error) {
          logger.error({ err: error, resource: name }, 'error while closing');
        }
      }
      clearTimeout(timer);
      logger.info('stopped');
      process.exit(exitCode);
    })();
    return shuttingDown;
  };

  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });

  const lifecycle: Lifecycle = {
    onShutdown(name, close) {
      closers.push({ name, close });
    },
    async listen(app, settings) {
      const http = typeof settings === 'number' ? { PORT: settings } : settings;
      const server = await listenHttp(app, http);
      // A proxy in front (the Istio sidecar, the local gateway) reuses idle connections; it
      // must be the side that closes them, or a request it sends just as the service closes
      // one fails with a 502. Their idle timeouts (DestinationRule, gateway agent) stay below
      // the server's keep-alive timeout.
      closers.push({ name: 'http', close: () => closeServer(server) });
      logger.info({ port: http.PORT, host: http.HOST ?? 'all interfaces' }, `${options.service} listening`);
      return server;
    },
  };

  try {
    await start(lifecycle);
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    await shutdown('start-up failure', 1);
  }
}
