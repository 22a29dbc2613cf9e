import {
  context as otelContext,
  isSpanContextValid,
  propagation,
  trace,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';

/** The W3C trace-context header names the services propagate. */
export const traceHeaderNames = ['traceparent', 'tracestate'] as const;

/** The name of the tracer the Glotixz libraries create their spans with. */
export const tracerName = '@glotixz/common';

/** The tracer of the Glotixz libraries (a no-op until a provider is registered). */
export function tracer() {
  return trace.getTracer(tracerName);
}

/**
 * The W3C trace-context headers (`traceparent`, `tracestate`) of `context` (the active one by
 * default); empty when it carries no valid span.
 */
export function traceHeaders(context: Context = otelContext.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context, carrier);
  const headers: Record<string, string> = {};
  for (const name of traceHeaderNames) {
    const value = carrier[name];
    if (value) headers[name] = value;
  }
  return headers;
}

/**
 * The context that continues the trace in `headers` (any casing of `traceparent`), on top of
 * `base` (the active context by default). Without a valid `traceparent` it is `base` unchanged.
 */
export function contextFromHeaders(
  headers: Record<string, string | string[] | undefined> | undefined,
  base: Context = otelContext.active(),
): Context {
  if (!headers) return base;
  const lower: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    const text = Array.isArray(value) ? value.join(',') : value;
    if (text !== undefined) lower[key.toLowerCase()] = text;
  }
  return propagation.extract(base, lower);
}

/** The span context of `context` (the active one by default), if it is valid. */
export function activeSpanContext(context: Context = otelContext.active()): SpanContext | undefined {
  const spanContext = trace.getSpanContext(context);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** `trace_id` and `span_id` of the active span, for log lines; empty outside a span. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const spanContext = activeSpanContext();
  return spanContext ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
}

/** The `traceparent` value of a span context: `00-<trace id>-<span id>-<flags>`. */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}
