import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import pino from 'pino';
import { startTracing } from '../tracing/start-tracing';

/** Tracing registered for a test file, keeping every ended span in memory. */
export interface TestTracing {
  /** The spans ended so far, oldest first. */
  spans(): ReadableSpan[];
  /** Forgets the spans ended so far. */
  reset(): void;
  /** Unregisters the tracer provider. */
  shutdown(): Promise<void>;
}

/** Registers the global tracer provider with an in-memory exporter; pair it with `shutdown()`. */
export function startTestTracing(service = 'test'): TestTracing {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({
    service,
    logger: pino({ level: 'silent' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    shutdown: () => tracing.shutdown(),
  };
}
