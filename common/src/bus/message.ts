import type { Context } from '@opentelemetry/api';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs } from '@nats-io/transport-node';

/** Headers carried beside a message, e.g. W3C trace context (`traceparent`). */
export type MessageHeaders = Record<string, string>;

/** Options of `Bus.publish`. */
export interface PublishOptions {
  headers?: MessageHeaders;
}

/** Options of `Bus.publishRaw`. */
export interface PublishRawOptions {
  /** JetStream deduplication id: the event id. */
  msgID: string;
  headers?: MessageHeaders;
  /**
   * The context whose trace the message continues when `headers` carry no `traceparent`; the
   * active one by default. The outbox relay passes the root context: a row's trace is its own.
   */
  parent?: Context;
}

/** What JetStream answered to a publish. `duplicate` means it had the `msgID` already. */
export interface PublishResult {
  stream: string;
  seq: number;
  duplicate: boolean;
}

/** Converts a plain map into NATS headers (undefined when empty). */
export function toNatsHeaders(map: MessageHeaders | undefined): MsgHdrs | undefined {
  if (!map || Object.keys(map).length === 0) return undefined;
  const h = natsHeaders();
  for (const [key, value] of Object.entries(map)) h.set(key, value);
  return h;
}

/** Converts NATS headers into a plain map, keeping the last value of a repeated key. */
export function fromNatsHeaders(h: MsgHdrs | undefined): MessageHeaders {
  const map: MessageHeaders = {};
  if (!h) return map;
  for (const key of h.keys()) map[key] = h.last(key);
  return map;
}
