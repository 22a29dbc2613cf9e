import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { orderCreatedSubject, streamFor } from '@glotixz/common/events';
import { connectBus, type Bus } from '@glotixz/common/bus';
import { sleep, type TestUser } from '@glotixz/common/testing';
import pino from 'pino';
import type { NatsCluster } from '../test/support/servers';
import { startSystem, unlimitedOrders, type System } from '../test/support/system';
import type { LoadSettings } from './baseline';
import { mintKnownUsers, postJson, query } from './fixtures';
import { killOnExit, log, owned } from './harness';
import { runOpenLoad, type OpenLoadResult } from './open-load';
import {
  natsServerVersion,
  publishRate,
  startOwnedCluster,
  syncAlwaysFigures,
  type PublishFigures,
} from './nats-publish';
import { listReplicated, ordersReached, ordersThroughput, type OrdersReached } from './orders';
import type { Distribution } from './stats';
import { allServices, databaseOf, gatewayOf, waitQuiet } from './system-figures';

/** The order run on a system with `replicas` processes of every service. */
export interface ReplicaRun {
  replicas: number;
  rps: number;
  windowMs: number;
  latency: Distribution;
  statuses: Record<string, number>;
  /** CPU ms per order of every process of the system, the NATS servers and the load generator. */
  cpuMsPerOrder: number;
}

/** The longest stretch of a window without a certain kind of instant (its ends count as such). */
export interface Pause {
  longestMs: number;
  /** Where it started, ms from the kill (negative: before it). */
  startMs: number;
}

/** The stream leader's death under order load: the pause buyers saw and where the orders got to. */
export interface FailoverFigures {
  /** Orders offered per second, and sent → answer over the run. */
  rate: number;
  latency: Distribution;
  /** The server that led the orders stream and was killed, and the one that leads it next. */
  killed: string;
  newLeader: string;
  /** Kill → a new leader named by the stream's info (polled every 50 ms, 500 ms timeout). */
  electedMs: number;
  /** The window around the kill the figures cover: ms before it and after it. */
  beforeMs: number;
  afterMs: number;
  /** Between two 201 answers. */
  answers: Pause;
  /** … and the same in the `beforeMs` before the kill only, for comparison. */
  answersBefore: Pause;
  /** Answers in the window, and the ones other than 201 by status (`error`: no answer). */
  answered: number;
  failed: Record<string, number>;
  /** Between two `order.created` stored in the stream (their JetStream timestamps): the relay's pause. */
  events: Pause;
  /** … and the same in the `beforeMs` before the kill only, for comparison. */
  eventsBefore: Pause;
  /** The killed server started again → the system caught up with every event. */
  caughtUpMs: number;
  /** Every order of the run (201s) in orders, reserved in tickets and copied to payments. */
  reached: OrdersReached;
}

/** The scale-out section's figures. */
export interface ScaleFigures {
  /** The NATS both order runs used, in words. */
  nats: string;
  /** `nats-server --version`. */
  server: string;
  cpus: number;
  runs: ReplicaRun[];
  /** Orders/s with two processes per service / with one. */
  ratio: number;
  /** Absent when the cluster did not start (`skipped` says why). */
  failover?: FailoverFigures;
  skipped?: string;
  /** Publish throughput with `sync_interval: always` and with the server's default. */
  publish: PublishFigures[];
}

const CLUSTER = 'three-server cluster, 3-replica streams';

/** The whole system with `replicas` processes of every service behind the gateway, on `natsUrl`. */
async function startScaledSystem(replicas: number, natsUrl: string | undefined) {
  const system = await startSystem({
    services: allServices,
    replicas: Object.fromEntries(allServices.map((name) => [name, replicas])),
    orderLimits: unlimitedOrders,
    gateway: true,
    env: { gateway: { GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: '100000' } },
    ...(natsUrl ? { natsUrl, streamReplicas: 3 } : {}),
  });
  const stop = owned(`system with ${replicas} replicas`, () => system.stop());
  killOnExit(() =>
    [...Object.values(system.replicas).flat(), system.gateway, system.mail, system.sandbox].flatMap((s) =>
      s ? [s.process] : [],
    ),
  );
  return { system, stop };
}

/** The full run's order load (fresh tickets through the gateway) on `system`. */
async function replicaRun(system: System, replicas: number, settings: LoadSettings): Promise<ReplicaRun> {
  const [seller] = (await mintKnownUsers(system, 1)) as [TestUser];
  const buyers = await mintKnownUsers(system, 256);
  const run = await ordersThroughput(system, settings, seller, buyers);
  const cpuMsPerOrder = Object.values(run.cpuMsPerRequest)
    .filter(Number.isFinite)
    .reduce((sum, ms) => sum + ms, 0);
  log(
    `${replicas} per service: ${Math.round(run.rps)} orders/s over ${Math.round(run.windowMs)} ms, ` +
      `answers ${JSON.stringify(run.statuses)}`,
  );
  return {
    replicas,
    rps: run.rps,
    windowMs: run.windowMs,
    latency: run.latency,
    statuses: run.statuses,
    cpuMsPerOrder,
  };
}

/** JetStream's answers while its leadership moves: retried, not failures of the system. */
const transient = (err: unknown) =>
  err instanceof Error && /temporarily unavailable|timeout|no responders|leader/i.test(err.message);

/** {@link waitQuiet}, retried while JetStream cannot answer (a leader election after a restart). */
async function waitQuietThrough(system: System, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await waitQuiet(system, Math.max(1, timeoutMs - (performance.now() - started)));
      return performance.now() - started;
    } catch (err) {
      if (!transient(err) || performance.now() - started > timeoutMs) throw err;
      await sleep(250);
    }
  }
}

/** The orders stream's leader as `bus` sees it, or undefined while it has none (or JetStream does not answer). */
async function ordersLeader(system: System, bus: Bus = system.bus): Promise<string | undefined> {
  const stream = system.bus.streamName(streamFor(orderCreatedSubject));
  return bus.jsm.streams.info(stream).then(
    (info) => info.cluster?.leader,
    () => undefined,
  );
}

/** The longest stretch of [from, to] with none of ascending `times` in it, the ends counting as instants. */
function longestPause(times: number[], from: number, to: number, origin: number): Pause {
  const marks = [from, ...times.filter((t) => t > from && t < to), to];
  let best: Pause = { longestMs: 0, startMs: from - origin };
  for (let i = 1; i < marks.length; i += 1) {
    const gap = marks[i]! - marks[i - 1]!;
    if (gap > best.longestMs) best = { longestMs: gap, startMs: marks[i - 1]! - origin };
  }
  return best;
}

/**
 * The JetStream timestamps (ms since the epoch) of every `order.created` the system's stream
 * holds. A cluster that has just taken a server back may answer "no responders" for a while:
 * read again, up to 30 s.
 */
async function storedOrderCreated(system: System): Promise<number[]> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      return await readOrderCreatedTimes(system);
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await sleep(500);
    }
  }
}

async function readOrderCreatedTimes(system: System): Promise<number[]> {
  const consumer = await system.bus.js.consumers.get(system.bus.streamName(streamFor(orderCreatedSubject)), {
    filter_subjects: system.bus.subjectFor(orderCreatedSubject),
  });
  const times: number[] = [];
  for (;;) {
    const batch = await consumer.fetch({ max_messages: 1000, expires: 2_000 });
    let last: number | undefined;
    for await (const message of batch) {
      times.push(message.info.timestampNanos / 1e6);
      last = message.info.pending;
    }
    if (last === undefined || last === 0) break;
  }
  return times.sort((a, b) => a - b);
}

/** Up to `limit` tickets of the orders replica that no order ever held. */
async function neverOrdered(system: System, limit: number): Promise<string[]> {
  const rows = await query<{ id: string }>(
    databaseOf(system, 'orders'),
    `select t.id from tickets t where t.status = 'available'
       and not exists (select 1 from orders o where o.ticket_id = t.id) limit $1`,
    [limit],
  );
  return rows.map((row) => row.id);
}

/**
 * Under a steady order load through the gateway (open loop: half `closedLoopRps`, the system's
 * closed-loop rate, offered on a timer whatever the answers), kills (SIGKILL) the server leading
 * the orders stream `beforeMs` into the run and keeps offering for `afterMs`; then starts it
 * again, waits until the system caught up and checks every order placed reached tickets and
 * payments.
 */
async function failover(
  system: System,
  cluster: NatsCluster,
  settings: LoadSettings,
  closedLoopRps: number,
  { beforeMs = 3_000, afterMs = 10_000 } = {},
): Promise<FailoverFigures> {
  const [seller] = (await mintKnownUsers(system, 1)) as [TestUser];
  const buyers = await mintKnownUsers(system, 256);
  const rate = Math.max(10, Math.round(closedLoopRps / 2));
  // The tickets the order run listed and left unordered first, listing only what they lack.
  const needed = Math.ceil((rate * (beforeMs + afterMs)) / 1000);
  const left = await neverOrdered(system, needed);
  const ids = [
    ...left,
    ...(left.length < needed ? await listReplicated(system, seller, needed - left.length) : []),
  ];
  log(`failover run: ${ids.length} fresh tickets (${left.length} left from the order run)`);
  await waitQuiet(system);
  const killed = await ordersLeader(system);
  const index = cluster.names.indexOf(killed ?? '');
  const server = cluster.servers[index];
  if (!killed || !server) throw new Error('the orders stream has no leader');
  // Asks the surviving servers only, and briefly, so that the election is timed to within a poll.
  const watcher = await connectBus({
    servers: cluster.servers.filter((s) => s !== server).map((s) => s.url),
    name: 'bench-failover-watch',
    prefix: system.prefix,
    logger: pino({ level: 'silent' }),
    timeoutMs: 500,
  });

  const answers: { status: string; at: number }[] = [];
  const answered = (status: string) => answers.push({ status, at: performance.now() });
  let electedMs = Number.NaN;
  let newLeader: string | undefined;
  let killedAt = Number.NaN;
  let killedAtEpoch = Number.NaN;
  let result: OpenLoadResult;
  try {
    const load = runOpenLoad({
      url: gatewayOf(system).url,
      rate,
      connections: settings.connections,
      durationMs: beforeMs + afterMs,
      request: (n) => {
        const ticketId = ids[n];
        const buyer = buyers[n % buyers.length] as TestUser;
        return ticketId === undefined ? undefined : postJson('/api/orders', buyer, { ticketId });
      },
      onAnswer: (status) => answered(String(status)),
      onError: () => answered('error'),
    });
    await sleep(beforeMs);
    log(`killing ${killed}, the orders stream's leader, under ${rate} orders/s`);
    killedAt = performance.now();
    killedAtEpoch = Date.now();
    await server.kill();
    while (performance.now() - killedAt < afterMs + 20_000) {
      newLeader = await ordersLeader(system, watcher);
      if (newLeader && newLeader !== killed) {
        electedMs = performance.now() - killedAt;
        break;
      }
      await sleep(50);
    }
    result = await load;
  } finally {
    await watcher.close();
  }
  log(
    `${newLeader ?? 'no server'} leads it ${Math.round(electedMs)} ms after the kill; restarting ${killed}`,
  );
  await server.start();
  const caughtUpMs = await waitQuietThrough(system);
  log(`caught up ${Math.round(caughtUpMs)} ms after the restart`);

  const from = killedAt - Math.min(2_000, beforeMs);
  const to = killedAt + Math.min(afterMs, result.offeringMs - beforeMs);
  const window = answers.filter((a) => a.at >= from && a.at <= to);
  const created = answers.filter((a) => a.status === '201').map((a) => a.at);
  const failed: Record<string, number> = {};
  for (const { status } of window) if (status !== '201') failed[status] = (failed[status] ?? 0) + 1;
  const stored = await storedOrderCreated(system);
  const fromEpoch = killedAtEpoch - (killedAt - from);
  return {
    rate,
    latency: result.latency,
    killed,
    newLeader: newLeader && newLeader !== killed ? newLeader : 'none',
    electedMs,
    beforeMs: killedAt - from,
    afterMs: to - killedAt,
    answers: longestPause(created, from, to, killedAt),
    answersBefore: longestPause(created, from, killedAt, killedAt),
    answered: window.length,
    failed,
    events: longestPause(stored, fromEpoch, killedAtEpoch + (to - killedAt), killedAtEpoch),
    eventsBefore: longestPause(stored, fromEpoch, killedAtEpoch, killedAtEpoch),
    caughtUpMs,
    reached: await ordersReached(system, ids, result.statuses['201'] ?? 0),
  };
}

/**
 * The scale-out section: publish throughput of a three-server cluster with `sync_interval: always`
 * (or the server's refusal) and without; then the full run's order load on the cluster with one
 * and with two processes of every service, and on the second system the orders stream leader's
 * death under load. `settings` are the order runs'.
 */
export async function scaleFigures(settings: LoadSettings): Promise<ScaleFigures> {
  const server = await natsServerVersion();
  const publish = [await syncAlwaysFigures()];

  log(`NATS: ${CLUSTER}, the server's default sync`);
  let started: Awaited<ReturnType<typeof startOwnedCluster>> | undefined;
  let skipped: string | undefined;
  try {
    started = await startOwnedCluster();
  } catch (err) {
    skipped = `the cluster did not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    log(`${skipped}; the order runs use the machine's NATS server`);
  }
  const cluster = started && 'cluster' in started ? started : undefined;
  if (cluster) {
    const rate = await publishRate(cluster.cluster.url);
    log(`publishing: ${Math.round(rate.rps)} acknowledged/s`);
    publish.push({ jetstream: [], server, rate });
  }

  const runs: ReplicaRun[] = [];
  let failoverFigures: FailoverFigures | undefined;
  for (const replicas of [1, 2]) {
    log(`the system with ${replicas} process${replicas === 1 ? '' : 'es'} per service`);
    const { system, stop } = await startScaledSystem(replicas, cluster?.cluster.url);
    try {
      runs.push(await replicaRun(system, replicas, settings));
      if (replicas === 2 && cluster) {
        try {
          failoverFigures = await failover(system, cluster.cluster, settings, runs.at(-1)?.rps ?? 100);
        } catch (err) {
          // A failure of this one run leaves the rest of the bench's figures standing.
          skipped = `the failover run failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
          log(skipped);
        }
      }
    } finally {
      await stop();
    }
  }
  await cluster?.dispose();
  const [one, two] = runs;
  return {
    nats: cluster ? CLUSTER : "the machine's single NATS server, 1-replica streams",
    server,
    cpus: os.cpus().length,
    runs,
    ratio: (two?.rps ?? Number.NaN) / (one?.rps ?? Number.NaN),
    ...(failoverFigures ? { failover: failoverFigures } : {}),
    ...(skipped ? { skipped } : {}),
    publish,
  };
}
