import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createEnvelope, orderCreatedSubject } from '@glotixz/common/events';
import { connectTestBus, deleteTestStreams, randomPrefix } from '@glotixz/common/testing';
import { ensureBinary } from '../../scripts/lib/servers.mjs';
import { startNatsCluster, type NatsCluster } from '../test/support/servers';
import { log, owned } from './harness';
import { distribution, type Distribution } from './stats';

/** The JetStream setting of the production cluster (infra/k8s): fsync every write before its PubAck. */
export const SYNC_ALWAYS = 'sync_interval: always';

/** Publishes in flight at once, from one publisher. */
export const PUBLISH_IN_FLIGHT = 64;

/** Acknowledged publishes of one publisher to a three-replica stream. */
export interface PublishRate {
  /** Acknowledged publishes per second in the measured window. */
  rps: number;
  windowMs: number;
  /** Publish → PubAck, in the window. */
  latency: Distribution;
  /** Publishes that failed (no PubAck in time), over the whole run. */
  failed: number;
}

/** One cluster configuration and what it measured, or the server's refusal to start with it. */
export interface PublishFigures {
  /** The extra `jetstream { … }` lines of the cluster; none for the server's defaults. */
  jetstream: string[];
  /** `nats-server --version`. */
  server: string;
  /** Present when the cluster started. */
  rate?: PublishRate;
  /** The server's own error when it refused the configuration. */
  rejected?: string;
}

/** The nats-server binary the test clusters run, as the fault tests find it. */
export async function natsServerBinary(): Promise<string> {
  return (
    process.env.TEST_NATS_SERVER_BIN ||
    (await ensureBinary('nats-server', { why: 'the bench runs a NATS cluster' }))
  );
}

/** `nats-server: v2.9.10`, or what the binary said it is. */
export async function natsServerVersion(): Promise<string> {
  return execFileSync(await natsServerBinary(), ['--version'], { encoding: 'utf8' }).trim();
}

/**
 * The line in which nats-server refused its configuration file (`nats-server: <file>:<line>:<col>:
 * <problem>`), or undefined when the failure was something else.
 */
export function configRejection(err: unknown): string | undefined {
  const text = err instanceof Error ? err.message : String(err);
  return /^nats-server: .*nats\.conf:\d+:\d+: .*$/m.exec(text)?.[0];
}

/**
 * Starts a three-server cluster with `jetstream` lines in each server's configuration, owned by
 * the bench until `dispose`. Answers the server's refusal instead when it rejects them.
 */
export async function startOwnedCluster(
  jetstream: string[] = [],
): Promise<{ cluster: NatsCluster; dispose: () => Promise<void> } | { rejected: string }> {
  try {
    const cluster = await startNatsCluster(jetstream.length > 0 ? { jetstream } : {});
    return { cluster, dispose: owned('nats cluster', () => cluster.dispose()) };
  } catch (err) {
    const rejected = jetstream.length > 0 ? configRejection(err) : undefined;
    if (rejected === undefined) throw err;
    return { rejected };
  }
}

/**
 * One publisher on its own connection to `url` keeps `inFlight` publishes of `order.created`
 * waiting for their PubAck, each a new event (its own `msgID`) to a three-replica stream of a
 * private prefix, as the outbox relay publishes; counts the PubAcks after `warmupMs`, for
 * `durationMs`. Deletes its streams afterwards.
 */
export async function publishRate(
  url: string,
  { inFlight = PUBLISH_IN_FLIGHT, warmupMs = 1_000, durationMs = 5_000 } = {},
): Promise<PublishRate> {
  const bus = await connectTestBus(randomPrefix(), { url, streamReplicas: 3, name: 'bench-publisher' });
  const template = createEnvelope(orderCreatedSubject, {
    id: randomUUID(),
    status: 'awaiting_payment',
    userId: randomUUID(),
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    version: 0,
    ticket: { id: randomUUID(), title: 'Bench seat', price: 1000, currency: 'usd', fee: 0, total: 1000 },
  });
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const measureTo = measureFrom + durationMs;
  try {
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (;;) {
          const sentAt = performance.now();
          if (sentAt >= measureTo) return;
          const id = randomUUID();
          try {
            await bus.publishRaw(orderCreatedSubject, JSON.stringify({ ...template, id }), { msgID: id });
          } catch {
            failed += 1;
            continue;
          }
          const doneAt = performance.now();
          if (sentAt >= measureFrom && doneAt <= measureTo) latencies.push(doneAt - sentAt);
        }
      }),
    );
  } finally {
    await deleteTestStreams(bus).catch(() => undefined);
    await bus.close();
  }
  return {
    rps: latencies.length / (durationMs / 1000),
    windowMs: durationMs,
    latency: distribution(latencies),
    failed,
  };
}

/**
 * Publish throughput on a cluster with `sync_interval: always` (the production setting), or the
 * server's refusal of it. The cluster is disposed of before this answers.
 */
export async function syncAlwaysFigures(): Promise<PublishFigures> {
  const server = await natsServerVersion();
  log(`NATS cluster with ${SYNC_ALWAYS} (${server})`);
  const started = await startOwnedCluster([SYNC_ALWAYS]);
  if ('rejected' in started) {
    log(`the server refused it: ${started.rejected}`);
    return { jetstream: [SYNC_ALWAYS], server, rejected: started.rejected };
  }
  try {
    return { jetstream: [SYNC_ALWAYS], server, rate: await publishRate(started.cluster.url) };
  } finally {
    await started.dispose();
  }
}
