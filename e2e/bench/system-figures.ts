import { performance } from 'node:perf_hooks';
import { streams, type StreamName } from '@glotixz/common/events';
import { connectTestBus, sleep } from '@glotixz/common/testing';
import type { RunningService, ServiceName, System } from '../test/support/system';
import { cpuMeter, natsServerPids, postgresBackends, type ProcessGroups } from './cpu';
import { connectedClient, until } from './fixtures';
import { probe, rssMb } from './harness';

/** The services the bench starts, measures and restarts: the whole pipeline. */
export const allServices: ServiceName[] = [
  'auth',
  'tickets',
  'orders',
  'payments',
  'expiration',
  'notifications',
];

/** The gateway in front of the services, where buyers' requests arrive. */
export function gatewayOf(system: System): RunningService {
  if (!system.gateway) throw new Error('the system runs without a gateway');
  return system.gateway;
}

/** A database URL of the system, which every service but expiration has. */
export function databaseOf(system: System, service: ServiceName): string {
  const url = system.databases[service];
  if (!url) throw new Error(`${service} has no database`);
  return url;
}

/** The pids of a service's running processes, every replica's. */
const running = (system: System, name: ServiceName) =>
  system.replicas[name].flatMap(({ process: p }) =>
    p.exitCode === null && p.signalCode === null && p.pid !== undefined ? [p.pid] : [],
  );

/**
 * What the CPU of an order is counted over: each running service (all its replicas), the gateway,
 * the Postgres backends of the system's databases (those connected when the window starts), the
 * load generator (this process) and the NATS server (each of a cluster's) when its pid is visible. MailDev and the Stripe
 * sandbox stand in for services outside the system and are not counted (see {@link outsideMeter}).
 */
export function systemMeter(system: System) {
  return cpuMeter(async () => {
    const groups: ProcessGroups = {};
    const gateway = system.gateway?.process.pid;
    if (gateway !== undefined) groups.gateway = [gateway];
    for (const name of Object.keys(system.services) as ServiceName[]) {
      const pids = running(system, name);
      if (pids.length > 0) groups[name] = pids;
    }
    groups.postgres = await postgresBackends(Object.values(system.databases));
    groups['load generator'] = [process.pid];
    const nats = natsServerPids(system.natsUrl);
    if (nats.length > 0) groups['nats-server'] = nats;
    return groups;
  });
}

/** The stand-ins for outside services (MailDev for SMTP, the Stripe sandbox), measured apart. */
export function outsideMeter(system: System) {
  return cpuMeter(() => {
    const groups: ProcessGroups = {};
    for (const [label, s] of [
      ['maildev', system.mail],
      ['stripe-sandbox', system.sandbox],
    ] as const) {
      if (s?.process.pid !== undefined) groups[label] = [s.process.pid];
    }
    return Promise.resolve(groups);
  });
}

/** Start-up time and idle memory of one service. */
export interface ServiceFigures {
  /** Spawn → first `/readyz` 200, on a restart (migrations already applied). */
  readyMs: number;
  /**
   * VmRSS idle: {@link IDLE_SETTLED_MS} after the last service became ready, without traffic, once
   * V8's memory reducer has released what start-up left behind.
   */
  rssMb: number;
  /** VmRSS 3 s after the last service became ready: start-up's garbage still held. */
  startRssMb: number;
}

/**
 * When idle memory is read: V8's memory reducer starts 8 s after a heap stops growing
 * (`--gc-memory-reducer-start-delay-ms`) and then shrinks it; 15 s leaves it time for that.
 */
export const IDLE_SETTLED_MS = 15_000;

/** Restarts each service in turn, timing spawn → `/readyz` 200 (polled every 5 ms); then reads idle RSS. */
export async function startupFigures(system: System): Promise<Record<ServiceName, ServiceFigures>> {
  const ready = new Map<ServiceName, number>();
  for (const name of allServices) {
    const service = system.services[name];
    await service.stop();
    const started = performance.now();
    const restarted = service.restart();
    await until(async () => (await probe(`${service.url}/readyz`)) === 200, 30_000, `${name} /readyz`, 5);
    ready.set(name, performance.now() - started);
    await restarted;
  }
  await sleep(3_000);
  const early = new Map(allServices.map((name) => [name, rssMb(system.services[name].process.pid)]));
  await sleep(IDLE_SETTLED_MS - 3_000);
  const figures = {} as Record<ServiceName, ServiceFigures>;
  for (const name of allServices) {
    figures[name] = {
      readyMs: ready.get(name) ?? Number.NaN,
      rssMb: rssMb(system.services[name].process.pid),
      startRssMb: early.get(name) ?? Number.NaN,
    };
  }
  return figures;
}

/**
 * Waits until the system has caught up with its events: every outbox empty and no JetStream
 * consumer with messages pending or unacknowledged. Answers how long that took.
 */
export async function waitQuiet(system: System, timeoutMs = 120_000, everyMs = 100): Promise<number> {
  const started = performance.now();
  const bus = await connectTestBus(system.prefix, {
    url: system.natsUrl,
    ensureStreams: false,
    name: 'bench',
  });
  const clients = Object.values(system.databases).map((url) => connectedClient(url));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const withOutbox: typeof clients = [];
    for (const client of clients) {
      const { rows } = await client.query<{ t: string | null }>("select to_regclass('outbox')::text as t");
      if (rows[0]?.t) withOutbox.push(client);
    }
    // What was still behind at the last look, for the timeout's message.
    let behind = '';
    await until(
      async () => {
        for (const client of withOutbox) {
          const { rows } = await client.query<{ n: number }>('select count(*)::int as n from outbox');
          behind = `${rows[0]?.n ?? 0} rows in the outbox of ${client.database ?? '?'}`;
          if ((rows[0]?.n ?? 0) > 0) return false;
        }
        for (const stream of Object.keys(streams) as StreamName[]) {
          const consumers = await bus.jsm.consumers.list(bus.streamName(stream)).next();
          const late = consumers.filter((c) => c.num_pending > 0 || c.num_ack_pending > 0);
          behind = late
            .map((c) => `${c.name}: ${c.num_pending} pending, ${c.num_ack_pending} unacknowledged`)
            .join('; ');
          if (late.length > 0) return false;
        }
        return true;
      },
      timeoutMs,
      'the services to catch up with their events',
      everyMs,
    ).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)} (${behind})`);
    });
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await bus.close();
  }
  return performance.now() - started;
}
