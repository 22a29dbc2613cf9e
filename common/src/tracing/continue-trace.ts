import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Link } from '@opentelemetry/api';
import { activeSpanContext, contextFromHeaders, tracer } from './propagation';

/** Options of {@link inContinuedTrace}. */
export interface ContinuedTraceOptions {
  attributes?: Attributes;
}

/**
 * Runs `fn` in a new span `name` that continues the trace whose context was stored with the work
 * (`headers` with a `traceparent`, e.g. a queued job or a PaymentIntent's metadata), so what it
 * publishes joins that trace. The span active at the call (e.g. the webhook's request) is linked.
 * Without a valid `traceparent` the span is a child of the active one.
 */
export async function inContinuedTrace<T>(
  name: string,
  headers: Record<string, string | undefined> | undefined,
  fn: () => Promise<T>,
  options: ContinuedTraceOptions = {},
): Promise<T> {
  const active = context.active();
  const stored = headers?.traceparent ? contextFromHeaders(headers, active) : active;
  const current = activeSpanContext(active);
  const continues = stored !== active && activeSpanContext(stored) !== undefined;
  const links: Link[] = continues && current ? [{ context: current }] : [];
  const span = tracer().startSpan(
    name,
    { kind: SpanKind.INTERNAL, attributes: options.attributes, links },
    continues ? stored : active,
  );
  try {
    return await context.with(trace.setSpan(continues ? stored : active, span), fn);
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}
