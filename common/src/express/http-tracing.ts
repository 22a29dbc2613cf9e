import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';
import { contextFromHeaders, formatTraceparent, tracer } from '../tracing/propagation';

/**
 * The response header that hands the caller the request's trace: `00-<trace id>-<span id>-<flags>`
 * of the server span (W3C Trace Context Level 2 `traceresponse`).
 */
export const traceResponseHeader = 'traceresponse';

/** Options of {@link httpTracing}. */
export interface HttpTracingOptions {
  /** Paths served without a span, e.g. probes and `/metrics`. */
  skip?: (path: string) => boolean;
}

/**
 * Starts a SERVER span per request, continuing the caller's trace (`traceparent`), and runs the
 * rest of the request inside it. The span is named `METHOD /route/pattern` once a route matched
 * (`METHOD` alone otherwise), carries the HTTP attributes and status, and is an error for a 5xx or
 * an aborted response. The trace reaches the caller in {@link traceResponseHeader}.
 */
export function httpTracing(options: HttpTracingOptions = {}): RequestHandler {
  return (req, res, next) => {
    if (options.skip?.(req.path)) {
      next();
      return;
    }
    const parent = contextFromHeaders(req.headers, ROOT_CONTEXT);
    const span = tracer().startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: req.method,
          [ATTR_URL_PATH]: req.path,
          [ATTR_URL_SCHEME]: req.protocol,
          ...(req.ip ? { [ATTR_CLIENT_ADDRESS]: req.ip } : {}),
          ...(req.headers['user-agent'] ? { [ATTR_USER_AGENT_ORIGINAL]: req.headers['user-agent'] } : {}),
        },
      },
      parent,
    );
    res.setHeader(traceResponseHeader, formatTraceparent(span.spanContext()));

    res.once('close', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      if (typeof pattern === 'string') {
        const route = `${req.baseUrl}${pattern}`;
        span.updateName(`${req.method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(res.statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR });
      } else if (!res.writableFinished) {
        span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the response was not completed' });
      }
      span.end();
    });

    const active = trace.setSpan(parent, span);
    // Body parsers and loggers continue from the request's and response's events, which would
    // otherwise run outside the span.
    context.bind(active, req);
    context.bind(active, res);
    context.with(active, next);
  };
}
