import {
  context as otelContext,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { randomFillSync } from 'node:crypto';

/**
 * A random id of `bytes` bytes in hex, never all zeros (an invalid id). Drawn from a pool refilled
 * in one call, as the SDK's generator does, since every request and message takes one or two.
 */
const randomId = (() => {
  const pool = Buffer.alloc(4096);
  let offset = pool.length;
  return (bytes: number): string => {
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const id = pool.toString('hex', offset, (offset += bytes));
    return /^0+$/.test(id) ? `${id.slice(0, -1)}1` : id;
  };
})();
const ids = { generateTraceId: () => randomId(16), generateSpanId: () => randomId(8) };

/**
 * A tracer for a process that exports nothing: its spans record nothing (no attributes, events or
 * timings, nothing handed to a processor) but carry real ids, so trace ids still reach log lines,
 * `traceresponse`, outgoing `traceparent` headers and messages. A span continues the trace (and
 * the sampled flag and `tracestate`) of its parent in `context`, or starts a sampled one, as the
 * SDK's default parent-based sampler would.
 */
export const idOnlyTracer: Tracer = {
  startSpan(_name: string, options?: SpanOptions, context: Context = otelContext.active()): Span {
    const parent = options?.root ? undefined : trace.getSpanContext(context);
    const continued = parent !== undefined && isSpanContextValid(parent);
    return trace.wrapSpanContext({
      traceId: continued ? parent.traceId : ids.generateTraceId(),
      spanId: ids.generateSpanId(),
      traceFlags: continued ? parent.traceFlags : TraceFlags.SAMPLED,
      ...(continued && parent.traceState ? { traceState: parent.traceState } : {}),
    });
  },

  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...args: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = args.at(-1) as F;
    const options = args.length > 1 ? (args[0] as SpanOptions) : undefined;
    const parent = args.length > 2 ? (args[1] as Context) : otelContext.active();
    const span = this.startSpan(name, options, parent);
    return otelContext.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>;
  },
};
