import { context as otelContext, type Context } from '@opentelemetry/api';
import type { JetStreamClient } from '@nats-io/jetstream';
import { publishInSpan } from './bus-tracing';
import { toNatsHeaders, type PublishRawOptions, type PublishResult } from './message';

/** What {@link publishMessage} publishes through: a JetStream client and the bus's naming. */
export interface PublishTarget {
  readonly js: JetStreamClient;
  /** False while NATS is disconnected. */
  isConnected(): boolean;
  subjectFor(subject: string): string;
}

/**
 * The one publish path of the bus: events (`Bus.publish`), outbox rows (the relay) and dead
 * letters all go through it. It publishes `payload` to `subject` (prefix applied) with
 * `msgID` for JetStream's deduplication, inside a PRODUCER span when the message continues a
 * trace (the `traceparent` in `headers`, else `options.parent`, else the active context), with the
 * span's trace context in the headers, and resolves with the PubAck.
 * @throws Error at once while disconnected, or when JetStream does not acknowledge in time.
 */
export async function publishMessage(
  target: PublishTarget,
  subject: string,
  payload: string | Uint8Array,
  options: PublishRawOptions,
): Promise<PublishResult> {
  // While disconnected a publish would sit in the client's buffer until its PubAck times out;
  // failing at once lets the outbox back off now and retry the moment the connection is back.
  if (!target.isConnected()) throw new Error('NATS is disconnected');
  const base: Context = options.parent ?? otelContext.active();
  return publishInSpan(
    subject,
    options.msgID,
    options.headers,
    async (headers) => {
      const ack = await target.js.publish(target.subjectFor(subject), payload, {
        msgID: options.msgID,
        headers: toNatsHeaders(headers),
      });
      return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    },
    base,
  );
}
