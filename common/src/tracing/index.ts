export { startTracing, otlpTracesUrl, type Tracing, type TracingOptions } from './start-tracing';
export {
  activeSpanContext,
  contextFromHeaders,
  formatTraceparent,
  traceHeaderNames,
  traceHeaders,
  traceLogFields,
  tracer,
  tracerName,
} from './propagation';
export { inContinuedTrace, type ContinuedTraceOptions } from './continue-trace';
