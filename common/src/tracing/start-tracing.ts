import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  trace,
  type DiagLogger,
  type TracerProvider,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkTraceNode from '@opentelemetry/sdk-trace-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import { idOnlyTracer } from './id-only-tracer';

/** Options of {@link startTracing}. */
export interface TracingOptions {
  /** The `service.name` of every span. */
  service: string;
  /**
   * The OTLP/HTTP base endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. `http://collector:4318`);
   * spans are posted as JSON to `<endpoint>/v1/traces`. Without it (and without `spanProcessors`)
   * spans carry ids but record nothing, so trace ids reach logs, headers and messages at little
   * cost, and nothing is exported.
   */
  endpoint?: string;
  logger: Logger;
  /** More span processors, e.g. a `SimpleSpanProcessor` over an `InMemorySpanExporter` in tests. */
  spanProcessors?: SpanProcessor[];
}

/** The running tracing of a process. */
export interface Tracing {
  /** Where spans are exported; undefined when they are not. */
  readonly tracesUrl?: string;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Flushes, stops the exporter and unregisters the global tracer provider. */
  shutdown(): Promise<void>;
}

/** What a provider gives {@link startTracing}: export what is pending, and stop. */
interface Provider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The SDK's provider with `spanProcessors` (and the OTLP exporter when `tracesUrl` is set),
 * registered with W3C propagation. The SDK and the exporter are loaded here, only when spans are
 * recorded: they are some 230 modules and megabytes of an idle service's memory otherwise.
 */
function registerRecordingProvider(
  service: string,
  spanProcessors: SpanProcessor[],
  tracesUrl?: string,
): Provider {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see above */
  const sdk = require('@opentelemetry/sdk-trace-node') as typeof SdkTraceNode;
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof Resources;
  if (tracesUrl) {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
    spanProcessors.push(new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl })));
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  const provider = new sdk.NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    spanProcessors,
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return provider;
}

/**
 * With nowhere for spans to go, recording them is wasted work on every request and message: the
 * global provider hands out {@link idOnlyTracer}, beside what the SDK's `register()` sets up too
 * (an AsyncLocalStorage context manager, W3C propagation).
 */
function registerIdOnlyProvider(): Provider {
  const provider: TracerProvider = { getTracer: () => idOnlyTracer };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return { forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
}

/** The OTLP/HTTP traces URL of a base endpoint, as the OpenTelemetry specification derives it. */
export function otlpTracesUrl(endpoint: string): string {
  return new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).toString();
}

function diagLogger(logger: Logger): DiagLogger {
  const log = logger.child({ component: 'tracing' });
  // Exporter trouble (a collector down) must not read as a service error: warn at most.
  return {
    error: (message, ...args) => log.warn({ args }, message),
    warn: (message, ...args) => log.warn({ args }, message),
    info: (message, ...args) => log.debug({ args }, message),
    debug: (message, ...args) => log.trace({ args }, message),
    verbose: (message, ...args) => log.trace({ args }, message),
  };
}

/**
 * Registers the global tracer provider of this process: W3C trace-context propagation, an
 * AsyncLocalStorage context manager, and, when `endpoint` is set, a batching OTLP/HTTP (JSON)
 * exporter. Call it once, before the app starts; `shutdown()` flushes what is left and
 * unregisters it (so it can be started again, e.g. in tests).
 */
export function startTracing(options: TracingOptions): Tracing {
  const { logger } = options;
  const tracesUrl = options.endpoint ? otlpTracesUrl(options.endpoint) : undefined;
  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  diag.setLogger(diagLogger(logger), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const provider =
    tracesUrl || spanProcessors.length > 0
      ? registerRecordingProvider(options.service, spanProcessors, tracesUrl)
      : registerIdOnlyProvider();
  logger.info({ tracesUrl: tracesUrl ?? null }, tracesUrl ? 'exporting traces' : 'tracing without export');

  let stopped: Promise<void> | undefined;
  return {
    tracesUrl,
    flush: () => provider.forceFlush(),
    shutdown() {
      stopped ??= provider.shutdown().finally(() => {
        trace.disable();
        context.disable();
        propagation.disable();
        diag.disable();
      });
      return stopped;
    },
  };
}
