import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamApiError, JetStreamClient, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { context } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { safeParseEnvelope, streams } from '../events';
import type { Envelope, StreamName, Subject } from '../events';
import { startConsumer } from './consume';
import type { ConsumeOptions, ConsumerHandle } from './consumer.types';
import type { PublishOptions, PublishRawOptions, PublishResult } from './message';
import { publishMessage } from './publish';

/** Options of {@link connectBus}. */
export interface ConnectBusOptions {
  /** NATS server URL(s). */
  servers: string | string[];
  /** Connection name, shown by the server's monitoring: the service name. */
  name: string;
  /**
   * Isolates everything this bus touches: subjects become `<prefix>.<subject>` and streams
   * `<PREFIX>_<STREAM>`. Tests use a random one; services leave it empty.
   */
  prefix?: string;
  logger: Logger;
  /** Window in which JetStream drops a repeated `msgID`; at least 2 minutes. Default 2 minutes. */
  duplicateWindowMs?: number;
  /**
   * Replicas of each stream. Default: 3 when the server is part of a cluster (JetStream then
   * acknowledges a write once two servers have it, and a stream outlives one server), else 1.
   */
  streamReplicas?: number;
  /** How long to wait for a PubAck or a JetStream API answer. Default 5 s. */
  timeoutMs?: number;
}

const minDuplicateWindowMs = 2 * 60_000;
const prefixPattern = /^[A-Za-z0-9_-]*$/;

/** Replicas a stream gets unless configured: 3 on a cluster (quorum 2), 1 on a single server. */
export const defaultStreamReplicas = (nc: Pick<NatsConnection, 'info'>): number => (nc.info?.cluster ? 3 : 1);

function isApiError(err: unknown, code: number): err is JetStreamApiError {
  return err instanceof Error && 'code' in err && err.code === code;
}

/**
 * A connection to NATS JetStream that publishes and consumes Glotixz events. Create it with
 * {@link connectBus}; call {@link Bus.close} on shutdown.
 */
export class Bus {
  private readonly consumers = new Set<ConsumerHandle>();
  private readonly reconnectListeners = new Set<() => void>();
  private connected = true;
  private readonly statusLoop: Promise<void>;

  private constructor(
    /** The raw NATS connection, for health checks. */
    readonly nc: NatsConnection,
    /** The JetStream client. */
    readonly js: JetStreamClient,
    /** The JetStream manager (streams, consumers). */
    readonly jsm: JetStreamManager,
    /** The isolation prefix; empty in services. */
    readonly prefix: string,
    readonly logger: Logger,
    private readonly options: Required<Pick<ConnectBusOptions, 'duplicateWindowMs' | 'streamReplicas'>>,
  ) {
    this.statusLoop = this.logStatus();
  }

  /** Connects to NATS and checks that JetStream is enabled. */
  static async connect(options: ConnectBusOptions): Promise<Bus> {
    const prefix = options.prefix ?? '';
    if (!prefixPattern.test(prefix)) throw new Error(`invalid bus prefix "${prefix}": use [A-Za-z0-9_-]`);
    const duplicateWindowMs = options.duplicateWindowMs ?? minDuplicateWindowMs;
    if (duplicateWindowMs < minDuplicateWindowMs)
      throw new Error('duplicateWindowMs must be at least 2 minutes');
    const logger = options.logger.child({ component: 'bus' });
    const nc = await connect({ servers: options.servers, name: options.name, maxReconnectAttempts: -1 });
    try {
      const timeout = options.timeoutMs ?? 5_000;
      const jsm = await jetstreamManager(nc, { timeout });
      const js = jetstream(nc, { timeout });
      logger.info({ server: nc.getServer(), prefix }, 'connected to NATS');
      return new Bus(nc, js, jsm, prefix, logger, {
        duplicateWindowMs,
        streamReplicas: options.streamReplicas ?? defaultStreamReplicas(nc),
      });
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** The NATS subject of an event subject (or `deadletter.*` subject), with the prefix applied. */
  subjectFor(subject: string): string {
    return this.prefix ? `${this.prefix}.${subject}` : subject;
  }

  /** The event subject of a NATS subject: {@link Bus.subjectFor} reversed. */
  logicalSubject(natsSubject: string): string {
    return this.prefix && natsSubject.startsWith(`${this.prefix}.`)
      ? natsSubject.slice(this.prefix.length + 1)
      : natsSubject;
  }

  /** The JetStream name of a stream, with the prefix applied. */
  streamName(stream: StreamName): string {
    return this.prefix ? `${this.prefix.toUpperCase()}_${stream}` : stream;
  }

  /** Creates every stream, or updates it to the current configuration. Safe to run on every start. */
  async ensureStreams(): Promise<void> {
    for (const stream of Object.keys(streams) as StreamName[]) {
      const config = {
        name: this.streamName(stream),
        subjects: [this.subjectFor(streams[stream])],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        duplicate_window: this.options.duplicateWindowMs * 1_000_000,
        num_replicas: this.options.streamReplicas,
      } satisfies Partial<StreamConfig>;
      try {
        const current = (await this.jsm.streams.info(config.name)).config;
        // An update is a consensus round on a cluster: only when something differs, so that many
        // replicas starting together do not queue one each per stream.
        const same =
          current.subjects?.join() === config.subjects.join() &&
          current.storage === config.storage &&
          current.retention === config.retention &&
          current.duplicate_window === config.duplicate_window &&
          current.num_replicas === config.num_replicas;
        if (!same) await this.jsm.streams.update(config.name, config);
      } catch (err) {
        if (!isApiError(err, 10059)) throw err;
        await this.jsm.streams.add(config);
        this.logger.info({ stream: config.name }, 'created stream');
      }
    }
  }

  /**
   * Publishes an event and waits for JetStream's PubAck. The envelope is validated first, and its
   * id is the `msgID`, so publishing it again within the duplicate window stores nothing.
   * Services publish through the outbox ({@link enqueue}), never from a request handler (I1).
   * Inside a trace (the active one, or a `traceparent` in `headers`) it publishes in a PRODUCER
   * span whose trace context travels in the message headers.
   * @throws Error when the envelope breaks its contract, or when JetStream does not acknowledge.
   */
  async publish<S extends Subject>(
    envelope: Envelope<S>,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    const parsed = safeParseEnvelope(envelope);
    if (!parsed.success) throw new Error(parsed.error);
    return this.publishRaw(envelope.subject, JSON.stringify(parsed.envelope), {
      msgID: envelope.id,
      headers: options.headers,
      parent: context.active(),
    });
  }

  /**
   * Publishes an already serialised payload to `subject` (prefix applied) and waits for the PubAck,
   * through the one publish path ({@link publishMessage}: `msgID`, headers, trace context). No
   * validation: for the outbox relay (rows were validated when enqueued), dead letters and tests.
   */
  async publishRaw(
    subject: string,
    payload: string | Uint8Array,
    options: PublishRawOptions,
  ): Promise<PublishResult> {
    return publishMessage(this, subject, payload, options);
  }

  /** False while NATS is disconnected (publishing fails at once then). */
  isConnected(): boolean {
    return this.connected;
  }

  /**
   * Starts a durable consumer of one subject; see {@link ConsumeOptions}. The bus stops it on
   * {@link Bus.close}.
   */
  async consume<S extends Subject>(options: ConsumeOptions<S>): Promise<ConsumerHandle> {
    const handle = await startConsumer(this, options);
    this.consumers.add(handle);
    return {
      durable: handle.durable,
      stop: async () => {
        this.consumers.delete(handle);
        await handle.stop();
      },
    };
  }

  /** Stops every consumer (awaiting handlers in flight), then drains and closes the connection. */
  async close(): Promise<void> {
    const handles = [...this.consumers];
    this.consumers.clear();
    await Promise.all(handles.map((handle) => handle.stop()));
    if (!this.nc.isClosed()) await this.nc.drain();
    await this.statusLoop;
  }

  /**
   * Calls `listener` each time the connection comes back after a disconnect (the outbox relay
   * retries at once then). Answers a function that removes it.
   */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  private async logStatus(): Promise<void> {
    try {
      for await (const status of this.nc.status()) {
        if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
          this.logger.warn({ status }, `NATS ${status.type}`);
        }
        if (status.type === 'disconnect') this.connected = false;
        if (status.type === 'reconnect') {
          this.connected = true;
          for (const listener of this.reconnectListeners) listener();
        }
      }
    } catch (err) {
      this.logger.error({ err }, 'NATS status monitor failed');
    }
  }
}

/** Connects a {@link Bus}. Shorthand for {@link Bus.connect}. */
export function connectBus(options: ConnectBusOptions): Promise<Bus> {
  return Bus.connect(options);
}
