import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { activeSpanContext, contextFromHeaders, traceHeaders, tracer } from '../tracing/propagation';
import type { MessageHeaders } from './message';
import type { MessageOutcome } from './metrics';

/**
 * Span attributes of the messaging layer: OpenTelemetry's messaging conventions (still
 * incubating, hence spelled out here) plus two of our own for JetStream.
 */
export const messagingAttributes = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  consumerGroup: 'messaging.consumer.group.name',
  messageId: 'messaging.message.id',
  deliveryCount: 'messaging.nats.message.delivery_count',
  streamSequence: 'messaging.nats.message.stream_sequence',
  outcome: 'glotixz.message.outcome',
} as const;

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
}

/** Outcomes that mean the handler failed on this delivery. */
const failedOutcomes = new Set<MessageOutcome>(['retried', 'dead_lettered', 'invalid']);

/**
 * Publishes inside a PRODUCER span `<subject> publish` when the message continues a trace: the
 * one in `headers` (what the outbox captured at enqueue time), else the active one. The span's
 * `traceparent` replaces the one in `headers`, so the consumer's span is its child. A message
 * outside any trace is published as it is.
 */
export async function publishInSpan<T>(
  subject: string,
  messageId: string,
  headers: MessageHeaders | undefined,
  publish: (headers: MessageHeaders | undefined) => Promise<T>,
  base: Context = ROOT_CONTEXT,
): Promise<T> {
  const parent = headers?.traceparent ? contextFromHeaders(headers, base) : base;
  if (!activeSpanContext(parent)) return publish(headers);
  const span = tracer().startSpan(
    `${subject} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [messagingAttributes.system]: 'nats',
        [messagingAttributes.destination]: subject,
        [messagingAttributes.operationType]: 'send',
        [messagingAttributes.operationName]: 'publish',
        [messagingAttributes.messageId]: messageId,
      },
    },
    parent,
  );
  try {
    return await publish({ ...headers, ...traceHeaders(trace.setSpan(parent, span)) });
  } catch (err) {
    span.recordException(err instanceof Error ? err : describeError(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(err) });
    throw err;
  } finally {
    span.end();
  }
}

/** What {@link startConsumerSpan} answers: the span, its context and how to settle it. */
export interface ConsumerSpan {
  span: Span;
  context: Context;
  /** Records the outcome (an error status for a failed delivery) and ends the span. */
  settle(outcome: MessageOutcome, error?: unknown): void;
}

/**
 * Starts the CONSUMER span `<subject> process` of one delivery, continuing the trace in the
 * message's headers.
 */
export function startConsumerSpan(
  subject: string,
  headers: MessageHeaders,
  delivery: { consumer: string; deliveryCount: number; streamSequence: number },
): ConsumerSpan {
  const parent = contextFromHeaders(headers, ROOT_CONTEXT);
  const span = tracer().startSpan(
    `${subject} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [messagingAttributes.system]: 'nats',
        [messagingAttributes.destination]: subject,
        [messagingAttributes.operationType]: 'process',
        [messagingAttributes.operationName]: 'process',
        [messagingAttributes.consumerGroup]: delivery.consumer,
        [messagingAttributes.deliveryCount]: delivery.deliveryCount,
        [messagingAttributes.streamSequence]: delivery.streamSequence,
      },
    },
    parent,
  );
  let settled = false;
  return {
    span,
    context: trace.setSpan(parent, span),
    settle(outcome, error) {
      if (settled) return;
      settled = true;
      span.setAttribute(messagingAttributes.outcome, outcome);
      if (failedOutcomes.has(outcome)) {
        if (error !== undefined) span.recordException(error instanceof Error ? error : describeError(error));
        span.setAttribute(ATTR_ERROR_TYPE, outcome);
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error === undefined ? outcome : describeError(error),
        });
      }
      span.end();
    },
  };
}
