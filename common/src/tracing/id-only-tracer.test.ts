import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import pino from 'pino';
import { contextFromHeaders, traceHeaders, tracer } from './propagation';
import { startTracing, type Tracing } from './start-tracing';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const parentSpanId = '00f067aa0ba902b7';

describe('tracing without an exporter', () => {
  let tracing: Tracing;
  beforeAll(() => {
    tracing = startTracing({ service: 'id-only-test', logger: pino({ level: 'silent' }) });
  });
  afterAll(() => tracing.shutdown());

  it('continues the caller’s trace with a new span id, its flags and tracestate, recording nothing', () => {
    for (const flags of ['01', '00']) {
      const parent = contextFromHeaders(
        { traceparent: `00-${traceId}-${parentSpanId}-${flags}`, tracestate: 'vendor=x' },
        ROOT_CONTEXT,
      );
      const span = tracer().startSpan('work', { attributes: { a: 1 } }, parent);
      const ids = span.spanContext();
      expect(ids.traceId).toBe(traceId);
      expect(ids.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(ids.spanId).not.toBe(parentSpanId);
      expect(ids.traceFlags).toBe(flags === '01' ? TraceFlags.SAMPLED : TraceFlags.NONE);
      expect(span.isRecording()).toBe(false);
      expect(traceHeaders(trace.setSpan(parent, span))).toEqual({
        traceparent: `00-${traceId}-${ids.spanId}-${flags}`,
        tracestate: 'vendor=x',
      });
      span.end();
    }
  });

  it('starts a new sampled trace without a parent, or with root even inside one', () => {
    const first = tracer().startSpan('a', {}, ROOT_CONTEXT).spanContext();
    const parent = contextFromHeaders({ traceparent: `00-${traceId}-${parentSpanId}-01` }, ROOT_CONTEXT);
    const root = tracer().startSpan('b', { root: true }, parent).spanContext();
    for (const ids of [first, root]) {
      expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(ids.traceId).not.toBe(traceId);
      expect(ids.traceFlags).toBe(TraceFlags.SAMPLED);
    }
    expect(root.traceId).not.toBe(first.traceId);
  });

  it('makes the span of startActiveSpan the active one, across awaits', async () => {
    const parent = contextFromHeaders({ traceparent: `00-${traceId}-${parentSpanId}-01` }, ROOT_CONTEXT);
    const seen = await context.with(parent, () =>
      tracer().startActiveSpan('active', async (span) => {
        await new Promise((resolve) => setImmediate(resolve));
        return { active: trace.getActiveSpan()?.spanContext().spanId, own: span.spanContext().spanId };
      }),
    );
    expect(seen.active).toBe(seen.own);
    expect(traceHeaders(ROOT_CONTEXT)).toEqual({});
  });
});
