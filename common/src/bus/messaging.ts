import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { untilJetStreamAnswers } from './jetstream-retry';
import type { Registry } from 'prom-client';
import { streamFor } from '../events';
import { connectBus, type Bus } from './bus';
import type { ConsumerHandle } from './consumer.types';
import type { ConsumerSpec } from './declared-consumer';
import type { TablePruner } from '../db/prune';
import { startRevocationListener, type RevocationListener } from './revocation-listener';
import type { RevokedSessions } from '../express/session-revocations';
import { startInboxPruner, type InboxPrunerOptions } from './inbox';
import {
  createConsumerLagMetrics,
  createConsumerMetrics,
  createOutboxMetrics,
  type ConsumerLag,
  type ConsumerMetrics,
} from './metrics';
import {
  readOutboxBacklog,
  startOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
} from './outbox.relay';

/** Options of {@link startMessaging}. */
export interface MessagingOptions {
  service: string;
  natsUrl: string | string[];
  /** Test isolation prefix; empty in services. */
  prefix?: string;
  /** Replicas of the streams this service provisions. Default 1. */
  streamReplicas?: number;
  logger: Logger;
  /** The service's pool, when it publishes through an outbox. */
  outbox?: { pool: Pool } & Partial<Omit<OutboxRelayOptions, 'pool' | 'bus' | 'logger' | 'metrics'>>;
  /**
   * The registry the service serves on `/metrics` (pass the same one to `createServiceApp`): the
   * consumer metrics (`bus_*`, including each consumer's lag, read from JetStream on each scrape)
   * and, with an outbox, the outbox metrics (`outbox_*`) are registered there. Use one registry per
   * `startMessaging`.
   */
  metrics?: Registry;
  /** The service's consumer table, declared with {@link consumerTable}. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows differ by subject
  consumers: readonly ConsumerSpec<any>[];
  /**
   * Pruning of the inbox, which lives in the outbox's database: with an outbox and consumers,
   * records older than `retentionMs` (default 7 days) are deleted hourly.
   */
  inbox?: Pick<InboxPrunerOptions, 'retentionMs' | 'intervalMs'>;
  /**
   * Keep the sessions auth revoked (`session.revoked`) in memory, replaying the last
   * `replaySeconds` (the token lifetime) at start-up: for services that verify tokens. The set is
   * `Messaging.revokedSessions`; pass it to `createServiceApp`.
   */
  revocations?: { replaySeconds: number };
}

/** A service's running messaging: the bus, the outbox relay and the consumers. */
export interface Messaging {
  bus: Bus;
  relay?: OutboxRelay;
  consumers: ConsumerHandle[];
  /** The revoked sessions, with the `revocations` option. */
  revokedSessions?: RevokedSessions;
  /** Resolves when NATS is connected and JetStream answers. */
  ready(): Promise<void>;
  /** Stops consumers (finishing the message in hand), then the relay, then drains NATS. */
  stop(): Promise<void>;
}

/** Registers each consumer's lag (`bus_consumer_pending`, ...), read from JetStream on each scrape. */
function registerLagMetrics(
  registry: Registry,
  bus: Bus,
  consumers: MessagingOptions['consumers'],
  logger: Logger,
): void {
  const readLag = async (): Promise<ConsumerLag[]> => {
    const lags = await Promise.allSettled(
      consumers.map(async ({ subject, durable }: ConsumerSpec): Promise<ConsumerLag> => {
        const info = await bus.jsm.consumers.info(bus.streamName(streamFor(subject)), durable);
        return { consumer: durable, subject, pending: info.num_pending, ackPending: info.num_ack_pending };
      }),
    );
    const failed = lags.filter((lag) => lag.status === 'rejected');
    if (failed.length > 0) {
      logger.warn({ err: failed[0]?.reason, failed: failed.length }, 'could not read consumer lag');
    }
    return lags.flatMap((lag) => (lag.status === 'fulfilled' ? [lag.value] : []));
  };
  createConsumerLagMetrics(registry, { readLag, logger });
}

/** Starts the outbox relay, which retries at once whenever NATS comes back. */
async function startRelay(
  bus: Bus,
  outbox: NonNullable<MessagingOptions['outbox']>,
  registry: Registry | undefined,
  logger: Logger,
): Promise<OutboxRelay> {
  const metrics = registry
    ? createOutboxMetrics(registry, () => readOutboxBacklog(outbox.pool), logger)
    : undefined;
  const relay = await startOutboxRelay({ ...outbox, bus, logger, metrics });
  // Events that waited out the outage go out as soon as NATS is back, not after their backoff.
  bus.onReconnect(() => relay.resume());
  return relay;
}

/** What {@link startMessaging} has started so far, and how to stop it in order. */
class Started {
  relay?: OutboxRelay;
  pruner?: TablePruner;
  revocations?: RevocationListener;
  readonly consumers: ConsumerHandle[] = [];

  constructor(private readonly bus: Bus) {}

  /** Stops consumers (finishing the message in hand), then the relay, then drains NATS. */
  async stop(): Promise<void> {
    await this.revocations?.stop();
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.pruner?.stop();
    await this.relay?.stop();
    await this.bus.close();
  }
}

/** Starts the relay, the revocation listener, the consumers and the inbox pruner, in that order. */
async function startParts(
  bus: Bus,
  options: MessagingOptions,
  started: Started,
  consumerMetrics: ConsumerMetrics | undefined,
): Promise<void> {
  const { logger } = options;
  await untilJetStreamAnswers('provisioning the streams', logger, () => bus.ensureStreams());
  if (options.outbox) {
    started.relay = await startRelay(bus, options.outbox, options.metrics, options.logger);
  }
  if (options.revocations) {
    started.revocations = await startRevocationListener({
      bus,
      logger: options.logger,
      replaySeconds: options.revocations.replaySeconds,
    });
  }
  for (const spec of options.consumers) {
    const consumer = await untilJetStreamAnswers(`starting consumer ${spec.durable}`, logger, () =>
      bus.consume({ metrics: consumerMetrics, ...spec }),
    );
    started.consumers.push(consumer);
  }
  if (options.outbox && options.consumers.length > 0) {
    started.pruner = startInboxPruner({
      pool: options.outbox.pool,
      logger: options.logger,
      ...options.inbox,
    });
  }
}

/**
 * Wires the messaging side of a service: connects to JetStream, provisions the streams, starts
 * the outbox relay and one durable consumer per table row. Whatever started is stopped again if a
 * later step fails.
 */
export async function startMessaging(options: MessagingOptions): Promise<Messaging> {
  // JetStream may not answer yet (a cluster electing its leaders, a server restarting): start-up
  // waits for it a while rather than exit at once.
  const bus = await untilJetStreamAnswers('connecting to JetStream', options.logger, () =>
    connectBus({
      servers: options.natsUrl,
      name: options.service,
      prefix: options.prefix,
      streamReplicas: options.streamReplicas,
      logger: options.logger,
    }),
  );
  const started = new Started(bus);
  const registry = options.metrics;
  const consumerMetrics = registry ? createConsumerMetrics(registry) : undefined;
  if (registry) registerLagMetrics(registry, bus, options.consumers, options.logger);

  try {
    await startParts(bus, options, started, consumerMetrics);
  } catch (err) {
    await started.stop();
    throw err;
  }

  return {
    bus,
    relay: started.relay,
    consumers: started.consumers,
    revokedSessions: started.revocations?.revoked,
    async ready() {
      if (bus.nc.isClosed()) throw new Error('NATS connection closed');
      await bus.jsm.getAccountInfo();
    },
    stop: () => started.stop(),
  };
}
