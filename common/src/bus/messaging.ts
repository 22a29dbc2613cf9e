import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { streamFor, type Subject } from '../events';
import { connectBus, type Bus } from './bus';
import type { ConsumeOptions, ConsumerHandle } from './consume';
import type { TablePruner } from '../db/prune';
import { startRevocationListener, type RevocationListener } from './revocation-listener';
import type { RevokedSessions } from '../express/session-revocations';
import { startInboxPruner, type InboxPrunerOptions } from './inbox';
import {
  createConsumerLagMetrics,
  createConsumerMetrics,
  createOutboxMetrics,
  type ConsumerLag,
} from './metrics';
import {
  readOutboxBacklog,
  startOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
} from './outbox.relay';

/** One row of a service's consumer table: the subject, the durable name and the handler. */
export type ConsumerSpec<S extends Subject = Subject> = ConsumeOptions<S>;

/** Identity helper that keeps each row's handler typed by its subject. */
export function defineConsumer<S extends Subject>(spec: ConsumerSpec<S>): ConsumerSpec<S> {
  return spec;
}

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

/**
 * Wires the messaging side of a service: connects to JetStream, provisions the streams, starts
 * the outbox relay and one durable consumer per table row. Whatever started is stopped again if a
 * later step fails.
 */
export async function startMessaging(options: MessagingOptions): Promise<Messaging> {
  const bus = await connectBus({
    servers: options.natsUrl,
    name: options.service,
    prefix: options.prefix,
    streamReplicas: options.streamReplicas,
    logger: options.logger,
  });
  let relay: OutboxRelay | undefined;
  let pruner: TablePruner | undefined;
  let revocations: RevocationListener | undefined;
  const consumers: ConsumerHandle[] = [];

  const stop = async () => {
    await revocations?.stop();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await pruner?.stop();
    await relay?.stop();
    await bus.close();
  };

  const registry = options.metrics;
  const consumerMetrics = registry ? createConsumerMetrics(registry) : undefined;
  if (registry) {
    const readLag = async (): Promise<ConsumerLag[]> => {
      const lags = await Promise.allSettled(
        options.consumers.map(async ({ subject, durable }: ConsumerSpec): Promise<ConsumerLag> => {
          const info = await bus.jsm.consumers.info(bus.streamName(streamFor(subject)), durable);
          return { consumer: durable, subject, pending: info.num_pending, ackPending: info.num_ack_pending };
        }),
      );
      const failed = lags.filter((lag) => lag.status === 'rejected');
      if (failed.length > 0) {
        options.logger.warn({ err: failed[0]?.reason, failed: failed.length }, 'could not read consumer lag');
      }
      return lags.flatMap((lag) => (lag.status === 'fulfilled' ? [lag.value] : []));
    };
    createConsumerLagMetrics(registry, { readLag, logger: options.logger });
  }

  try {
    await bus.ensureStreams();
    if (options.outbox) {
      const { pool } = options.outbox;
      const outboxMetrics = registry
        ? createOutboxMetrics(registry, () => readOutboxBacklog(pool), options.logger)
        : undefined;
      const started = await startOutboxRelay({
        ...options.outbox,
        bus,
        logger: options.logger,
        metrics: outboxMetrics,
      });
      relay = started;
      // Events that waited out the outage go out as soon as NATS is back, not after their backoff.
      bus.onReconnect(() => started.resume());
    }
    if (options.revocations) {
      revocations = await startRevocationListener({
        bus,
        logger: options.logger,
        replaySeconds: options.revocations.replaySeconds,
      });
    }
    for (const spec of options.consumers) {
      consumers.push(await bus.consume({ metrics: consumerMetrics, ...spec }));
    }
    if (options.outbox && options.consumers.length > 0) {
      pruner = startInboxPruner({ pool: options.outbox.pool, logger: options.logger, ...options.inbox });
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    bus,
    relay,
    consumers,
    revokedSessions: revocations?.revoked,
    async ready() {
      if (bus.nc.isClosed()) throw new Error('NATS connection closed');
      await bus.jsm.getAccountInfo();
    },
    stop,
  };
}
