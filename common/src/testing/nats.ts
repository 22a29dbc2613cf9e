import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { Logger } from 'pino';
import { connectBus, fromNatsHeaders } from '../bus';
import type { Bus, MessageHeaders } from '../bus';
import { streamFor, streams } from '../events';
import type { StreamName, Subject } from '../events';

/** The NATS URL tests connect to: `TEST_NATS_URL`, or the local default. */
export function testNatsUrl(): string {
  return process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
}

/** A random bus prefix (`t` + hex), which isolates a test's subjects and streams. */
export function randomPrefix(): string {
  return `t${randomBytes(6).toString('hex')}`;
}

/** Options of {@link connectTestBus}. */
export interface TestBusOptions {
  /** Default: silent. */
  logger?: Logger;
  /** Connection name. Default `test`. */
  name?: string;
  /** Create the prefixed streams. Default true. */
  ensureStreams?: boolean;
  /** The NATS server, or the servers of a cluster separated by commas. Default {@link testNatsUrl}. */
  url?: string;
  /** Replicas of the streams it creates: 3 on a three-server cluster. Default 1. */
  streamReplicas?: number;
}

/**
 * Connects a bus to the test NATS with `prefix` and creates its streams. Pair it with
 * {@link deleteTestStreams} and `bus.close()` after the tests.
 */
export async function connectTestBus(
  prefix: string = randomPrefix(),
  options: TestBusOptions = {},
): Promise<Bus> {
  const bus = await connectBus({
    servers: (options.url ?? testNatsUrl()).split(','),
    name: options.name ?? 'test',
    prefix,
    logger: options.logger ?? pino({ level: 'silent' }),
    streamReplicas: options.streamReplicas,
  });
  if (options.ensureStreams ?? true) await bus.ensureStreams();
  return bus;
}

/** Deletes the streams of the bus's prefix, and with them their consumers. Refuses an empty prefix. */
export async function deleteTestStreams(bus: Bus): Promise<void> {
  if (!bus.prefix) throw new Error('refusing to delete the streams of an unprefixed bus');
  for (const stream of Object.keys(streams) as StreamName[]) {
    try {
      await bus.jsm.streams.delete(bus.streamName(stream));
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 10059)) throw err;
    }
  }
}

/** A message read back from a stream by {@link readSubject}. */
export interface StoredMessage {
  /** The subject without the test prefix. */
  subject: string;
  seq: number;
  /** The payload parsed as JSON (the raw string if it is not JSON). */
  data: unknown;
  headers: MessageHeaders;
}

/**
 * Every message stored on `subject` (an event subject or `deadletter.<durable>`, without the
 * prefix), oldest first: what assertions about "what was published" should look at.
 */
export async function readSubject(
  bus: Bus,
  subject: Subject | `deadletter.${string}`,
): Promise<StoredMessage[]> {
  const stream = bus.streamName(streamFor(subject));
  const natsSubject = bus.subjectFor(subject);
  const info = await bus.jsm.streams.info(stream);
  const result: StoredMessage[] = [];
  if (info.state.messages === 0) return result;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq += 1) {
    const stored = await bus.jsm.streams.getMessage(stream, { seq });
    if (!stored || stored.subject !== natsSubject) continue;
    const text = stored.string();
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
    result.push({ subject, seq, data, headers: fromNatsHeaders(stored.header) });
  }
  return result;
}
