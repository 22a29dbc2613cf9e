import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** A per-app Prometheus registry with process metrics and HTTP request latency. */
export interface HttpMetrics {
  registry: Registry;
  middleware: RequestHandler;
}

/**
 * An empty Prometheus registry, for a service that registers its own metrics (e.g. through
 * `startMessaging`) before it builds the app; pass it to `createServiceApp` as `registry`.
 */
export function createMetricsRegistry(): Registry {
  return new Registry();
}

/**
 * Creates the middleware that observes every request by route and status, in `registry` (a new
 * one by default), adding the process metrics and the `service` default label.
 */
export function createHttpMetrics(service: string, registry: Registry = new Registry()): HttpMetrics {
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      // Label by route pattern, never by raw path, to keep cardinality bounded.
      const pattern = (req.route as { path?: string } | undefined)?.path;
      const route = pattern === undefined ? 'unmatched' : `${req.baseUrl}${pattern}`;
      end({ method: req.method, route, status_code: String(res.statusCode) });
    });
    next();
  };
  return { registry, middleware };
}
