import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** How far the relay is behind, for metrics and readiness. */
export interface OutboxBacklog {
  /** Rows not yet published. */
  count: number;
  /** Age of the oldest such row in milliseconds; null when there is none. */
  oldestAgeMs: number | null;
}

/** How {@link Bus.consume} settled a message. */
export type MessageOutcome = 'acked' | 'duplicate' | 'retried' | 'retry_later' | 'dead_lettered' | 'invalid';

/** The consumer metrics {@link Bus.consume} records; create them once per registry. */
export interface ConsumerMetrics {
  /** Counts one settled delivery. */
  handled(consumer: string, subject: string, outcome: MessageOutcome): void;
  /** Counts a delivery after the first. */
  redelivered(consumer: string): void;
  /** Starts timing a handler; call the answer when it returns or throws. */
  startHandler(consumer: string): () => void;
}

/**
 * Registers `bus_messages_handled_total{consumer,subject,outcome}`, `bus_redeliveries_total{consumer}`
 * and `bus_handler_duration_seconds{consumer}` in `registry`.
 */
export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  const handled = new Counter({
    name: 'bus_messages_handled_total',
    help: 'Messages settled by a consumer, by outcome',
    labelNames: ['consumer', 'subject', 'outcome'] as const,
    registers: [registry],
  });
  const redeliveries = new Counter({
    name: 'bus_redeliveries_total',
    help: 'Deliveries of a message after its first',
    labelNames: ['consumer'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'bus_handler_duration_seconds',
    help: 'Time a consumer handler ran, successful or not',
    labelNames: ['consumer'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    handled: (consumer, subject, outcome) => handled.inc({ consumer, subject, outcome }),
    redelivered: (consumer) => redeliveries.inc({ consumer }),
    startHandler: (consumer) => {
      const end = duration.startTimer({ consumer });
      return () => {
        end();
      };
    },
  };
}

/** The outbox metrics the relay records; create them once per registry. */
export interface OutboxMetrics {
  /** Counts rows published (PubAck received). */
  published(count: number): void;
  /** Counts a failed publish (the row is rescheduled). */
  publishFailed(): void;
}

/**
 * Registers `outbox_published_total`, `outbox_publish_failures_total`, and the gauges
 * `outbox_backlog_events` and `outbox_oldest_event_age_seconds`, which `readBacklog` computes on
 * each scrape. A failed read is logged and leaves the gauges at their last value.
 */
export function createOutboxMetrics(
  registry: Registry,
  readBacklog: () => Promise<OutboxBacklog>,
  logger: Logger,
): OutboxMetrics {
  let reading: Promise<OutboxBacklog | undefined> | undefined;
  // One scrape collects both gauges; they share one query.
  function read(): Promise<OutboxBacklog | undefined> {
    reading ??= readBacklog()
      .catch((err: unknown) => {
        logger.warn({ err }, 'could not read the outbox backlog for metrics');
        return undefined;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  }

  const published = new Counter({
    name: 'outbox_published_total',
    help: 'Outbox rows published to JetStream',
    registers: [registry],
  });
  const failures = new Counter({
    name: 'outbox_publish_failures_total',
    help: 'Outbox publishes that failed and were rescheduled',
    registers: [registry],
  });
  new Gauge({
    name: 'outbox_backlog_events',
    help: 'Outbox rows not yet published',
    registers: [registry],
    async collect() {
      const backlog = await read();
      if (backlog) this.set(backlog.count);
    },
  });
  new Gauge({
    name: 'outbox_oldest_event_age_seconds',
    help: 'Age of the oldest unpublished outbox row; 0 when there is none',
    registers: [registry],
    async collect() {
      const backlog = await read();
      if (backlog) this.set((backlog.oldestAgeMs ?? 0) / 1000);
    },
  });
  return {
    published: (count) => published.inc(count),
    publishFailed: () => failures.inc(),
  };
}

/** How far one durable consumer is behind its stream, as JetStream reports it. */
export interface ConsumerLag {
  consumer: string;
  subject: string;
  /** Messages on the stream not yet delivered to the consumer (`num_pending`). */
  pending: number;
  /** Messages delivered and not yet acknowledged (`num_ack_pending`). */
  ackPending: number;
}

/** Options of {@link createConsumerLagMetrics}. */
export interface ConsumerLagMetricsOptions {
  /** Reads every consumer's lag; a consumer it could not read is left out. */
  readLag: () => Promise<ConsumerLag[]>;
  logger: Logger;
  /** How long a scrape waits for JetStream before it serves the last values. Default 1 s. */
  timeoutMs?: number;
}

/**
 * Registers the gauges `bus_consumer_pending_messages{consumer,subject}` and
 * `bus_consumer_ack_pending_messages{consumer,subject}`, read from JetStream on each scrape. A read
 * that fails or takes longer than `timeoutMs` is logged and leaves the gauges at their last value:
 * `/metrics` never fails or hangs because of it.
 */
export function createConsumerLagMetrics(registry: Registry, options: ConsumerLagMetricsOptions): void {
  const { logger } = options;
  const timeoutMs = options.timeoutMs ?? 1_000;
  let reading: Promise<ConsumerLag[]> | undefined;

  async function readWithTimeout(): Promise<ConsumerLag[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from JetStream within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([options.readLag(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // One scrape collects both gauges; they share one round of consumer info requests.
  function read(): Promise<ConsumerLag[]> {
    reading ??= readWithTimeout()
      .catch((err: unknown) => {
        logger.warn({ err }, 'could not read consumer lag for metrics');
        return [];
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  }

  new Gauge({
    name: 'bus_consumer_pending_messages',
    help: 'Messages on the stream not yet delivered to the durable consumer (JetStream num_pending)',
    labelNames: ['consumer', 'subject'] as const,
    registers: [registry],
    async collect() {
      for (const lag of await read()) this.set({ consumer: lag.consumer, subject: lag.subject }, lag.pending);
    },
  });
  new Gauge({
    name: 'bus_consumer_ack_pending_messages',
    help: 'Messages delivered to the durable consumer and not yet acknowledged (JetStream num_ack_pending)',
    labelNames: ['consumer', 'subject'] as const,
    registers: [registry],
    async collect() {
      for (const lag of await read()) {
        this.set({ consumer: lag.consumer, subject: lag.subject }, lag.ackPending);
      }
    },
  });
}
