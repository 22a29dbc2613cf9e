import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestUser } from '@glotixz/common/testing';
import type { System } from '../test/support/system';
import { freePort } from '../test/support/ports';
import { burst, type Burst, type LoadSettings, type MeteredLoad } from './baseline';
import { cpuMeter, natsServerPids, postgresBackends } from './cpu';
import { mintUsers, postJson, query, until } from './fixtures';
import { owned, spawnOwned, stopChild } from './harness';
import { runLoad } from './load';
import { proxiedCurrentUser } from './orders';

/** A floor-server.ts process of the bench's. */
interface FloorServer {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

async function startFloor(
  name: string,
  env: Record<string, string>,
  readyPath: string,
): Promise<FloorServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await spawnOwned(
    name,
    [process.execPath, '--import', 'tsx', path.join(__dirname, 'floor-server.ts')],
    { ...env, FLOOR_PORT: String(port) },
    { url: `${url}${readyPath}`, status: 200 },
  );
  return { url, pid: child.pid, stop: () => stopChild(child) };
}

const pids = (pid: number | undefined) => (pid === undefined ? [] : [pid]);

/** The proxy floor's figures: the same load as target 5's, through floor-server.ts's bare proxy. */
export interface ProxyFloor extends MeteredLoad {
  /** CPU ms of the bare proxy per request. */
  proxyCpuMs: number;
  /** The same through a proxy on http-proxy-3 with nothing else: CPU ms per request, throughput. */
  library: { proxyCpuMs: number; rps: number };
}

/**
 * Target 5's floor: `GET /api/users/currentuser` without a cookie, as the gateway run sends it,
 * through a bare node:http proxy in front of the same auth process; then through a proxy that is
 * http-proxy-3 and nothing else.
 */
export async function proxyFloor(system: System, settings: LoadSettings): Promise<ProxyFloor> {
  const measure = async (mode: 'proxy' | 'http-proxy-3') => {
    const floor = await startFloor(
      `${mode} floor`,
      { FLOOR_MODE: mode, FLOOR_UPSTREAM: system.services.auth.url },
      '/api/users/currentuser',
    );
    try {
      const result = await proxiedCurrentUser(system, floor, 'proxy', settings);
      return { ...result, proxyCpuMs: result.cpuMsPerRequest.proxy ?? Number.NaN };
    } finally {
      await floor.stop();
    }
  };
  const bare = await measure('proxy');
  const library = await measure('http-proxy-3');
  return { ...bare, library: { proxyCpuMs: library.proxyCpuMs, rps: library.rps } };
}

/** The order floor's figures: targets 1, 2 and 6 on floor-server.ts's placement and consumers. */
export interface OrderFloor extends MeteredLoad {
  created: number;
  /** Every order created (in both runs) was published once and applied by every consumer floor. */
  nothingLost: boolean;
  /** What each consumer floor applied, against the orders created. */
  applied: Record<string, number>;
  /** Target 2's floor: the same load through the bare proxy with every consumer floor running. */
  pipeline: MeteredLoad;
  /** 1,000 buyers at once for one ticket, through the bare proxy. */
  flash: Burst & { consistent: boolean };
}

/**
 * The consumer floors of the pipeline, one per service that applies an order's events, each
 * doing what that service must: tickets reserves and publishes `ticket.updated` through its
 * outbox, payments and orders keep a replica, notifications records and sends an email, and
 * expiration schedules a delayed job in Redis.
 */
const CONSUMERS = [
  { name: 'tickets', effect: 'outbox', subject: 'order.created' },
  { name: 'payments', effect: 'replica', subject: 'order.created' },
  { name: 'notifications', effect: 'email', subject: 'order.created' },
  { name: 'expiration', effect: 'redis', subject: 'order.created' },
  { name: 'orders', effect: 'replica', subject: 'ticket.updated' },
] as const;

interface Database {
  url: string;
  drop: () => Promise<void>;
}

async function ownDatabase(name: string): Promise<Database> {
  const database = await createTestDatabase();
  return { url: database.url, drop: owned(name, () => database.drop()) };
}

/**
 * Targets 1, 2 and 6 on the floor: floor-server.ts's placement (one statement for the order, its
 * outbox row and the NOTIFY; a relay to JetStream) on a database of its own. First target 1's
 * run, its consumers stopped as the direct run stops the services'; then the consumer floors
 * catch up, and the same load runs through the bare proxy with all of them applying (target 2);
 * last, 1,000 buyers at once for one ticket through the bare proxy, as the flash sale sends them.
 */
export async function orderFloor(
  system: System,
  settings: LoadSettings,
  buyers: TestUser[],
  expectedRps: number,
): Promise<OrderFloor> {
  if (!system.smtpUrl) throw new Error('the order floor needs the system MailDev (start notifications)');
  const tag = randomBytes(4).toString('hex');
  const stream = `FLOOR_${tag.toUpperCase()}`;
  const subjectOf = (event: string) => `floor_${tag}.${event}`;
  await system.bus.jsm.streams.add({ name: stream, subjects: [`floor_${tag}.>`] });
  const deleteStream = owned('floor stream', () => system.bus.jsm.streams.delete(stream));
  const redisPrefix = `floor_${tag}`;
  const deleteRedisKeys = owned('floor jobs', () =>
    system.redis.del(`${redisPrefix}:delayed`).then(async () => {
      for (let cursor = '0'; ;) {
        const [next, keys] = await system.redis.scan(cursor, 'MATCH', `${redisPrefix}:job:*`, 'COUNT', 1000);
        if (keys.length > 0) await system.redis.del(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
    }),
  );
  const databases: Database[] = [];
  const servers: FloorServer[] = [];
  try {
    const placementDb = await ownDatabase('floor database');
    databases.push(placementDb);
    const floor = await startFloor(
      'order floor',
      {
        FLOOR_MODE: 'orders',
        FLOOR_DATABASE_URL: placementDb.url,
        FLOOR_NATS_URL: system.natsUrl,
        FLOOR_SUBJECT: subjectOf('order.created'),
        FLOOR_PUBLIC_KEY: system.keys.publicKey,
      },
      '/',
    );
    servers.push(floor);
    const count = Math.min(
      200_000,
      Math.ceil((expectedRps * 1.5 * (settings.warmupMs + settings.durationMs)) / 1000),
    );
    const list = async (n: number) =>
      (
        await query<{ id: string }>(
          placementDb.url,
          'insert into tickets select gen_random_uuid(), 1000 from generate_series(1, $1::int) returning id',
          [n],
        )
      ).map((row) => row.id);
    const orderEach = (ids: string[]) => (n: number) => {
      const ticketId = ids[n];
      return ticketId === undefined
        ? undefined
        : postJson('/api/orders', buyers[n % buyers.length]!, { ticketId });
    };

    // Target 1: the placement alone.
    const ids = await list(count);
    const direct = cpuMeter(async () => ({
      'order floor': pids(floor.pid),
      postgres: await postgresBackends([placementDb.url]),
      'nats-server': natsServerPids(system.natsUrl),
      'load generator': [process.pid],
    }));
    const result = await runLoad({
      url: floor.url,
      ...settings,
      onMeasureStart: () => direct.start(),
      request: orderEach(ids),
    });
    const cpuMsPerRequest = await direct.stop(result.completed);

    // The consumer floors, each on a database of its own (expiration's on Redis).
    const consumers: { name: string; server: FloorServer; database?: Database }[] = [];
    for (const c of CONSUMERS) {
      const database = c.effect === 'redis' ? undefined : await ownDatabase(`floor ${c.name} database`);
      if (database) databases.push(database);
      const server = await startFloor(
        `${c.name} floor`,
        {
          FLOOR_MODE: 'consumer',
          FLOOR_EFFECT: c.effect,
          FLOOR_NATS_URL: system.natsUrl,
          FLOOR_STREAM: stream,
          FLOOR_SUBJECT: subjectOf(c.subject),
          FLOOR_DURABLE: `floor-${c.name}`,
          FLOOR_PUBLISH_SUBJECT: subjectOf('ticket.updated'),
          FLOOR_DATABASE_URL: database?.url ?? '',
          FLOOR_SMTP_URL: system.smtpUrl,
          FLOOR_REDIS_URL: system.redisUrl,
          FLOOR_REDIS_PREFIX: redisPrefix,
        },
        '/',
      );
      servers.push(server);
      consumers.push({ name: c.name, server, database });
    }
    const appliedBy = async (): Promise<Record<string, number>> => {
      const entries = await Promise.all(
        consumers.map(async (c) => {
          const n = c.database
            ? ((
                await query<{ n: number }>(
                  c.database.url,
                  "select count(*)::int as n from replica where status <> 'sending'",
                )
              )[0]?.n ?? 0)
            : await system.redis.zcard(`${redisPrefix}:delayed`);
          return [c.name, n] as const;
        }),
      );
      return Object.fromEntries(entries);
    };
    const caughtUp = (expected: number) =>
      until(
        async () => Object.values(await appliedBy()).every((n) => n >= expected),
        120_000,
        'the consumer floors to catch up',
      );
    await caughtUp(result.statuses['201'] ?? 0);

    // Target 2: through the bare proxy, every consumer floor applying.
    const proxy = await startFloor('proxy floor', { FLOOR_MODE: 'proxy', FLOOR_UPSTREAM: floor.url }, '/');
    servers.push(proxy);
    const more = await list(count);
    const whole = cpuMeter(async () => ({
      proxy: pids(proxy.pid),
      'order floor': pids(floor.pid),
      ...Object.fromEntries(consumers.map((c) => [`${c.name} floor`, pids(c.server.pid)])),
      postgres: await postgresBackends(databases.map((d) => d.url)),
      'nats-server': natsServerPids(system.natsUrl),
      'load generator': [process.pid],
    }));
    const pipelineRun = await runLoad({
      url: proxy.url,
      ...settings,
      onMeasureStart: () => whole.start(),
      request: orderEach(more),
    });
    const pipeline = { ...pipelineRun, cpuMsPerRequest: await whole.stop(pipelineRun.completed) };
    const created = (result.statuses['201'] ?? 0) + (pipelineRun.statuses['201'] ?? 0);
    await caughtUp(created);
    const applied = await appliedBy();

    // Target 6: 1,000 buyers at once, one ticket.
    const [one] = await list(1);
    const flashBuyers = mintUsers(system.keys, 1000);
    const flash = await burst(
      proxy.url,
      flashBuyers.map((buyer) => postJson('/api/orders', buyer, { ticketId: one! })),
      flashBuyers.length,
    );
    return {
      ...result,
      cpuMsPerRequest,
      created,
      applied,
      nothingLost: Object.values(applied).every((n) => n === created),
      pipeline,
      flash: { ...flash, consistent: flash.statuses['201'] === 1 && flash.statuses['409'] === 999 },
    };
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await deleteStream();
    await deleteRedisKeys();
    for (const database of databases) await database.drop();
  }
}

/** Both floors of one run. */
export interface Floors {
  proxy: ProxyFloor;
  orders: OrderFloor;
}

const ratio = (value: number) => `${Number(value.toFixed(value < 0.1 ? 3 : 2))}×`;
const breakdown = (perRequest: Record<string, number>) => {
  const parts = Object.entries(perRequest).filter(([, v]) => Number.isFinite(v));
  const total = parts.reduce((sum, [, v]) => sum + v, 0);
  return `${total.toFixed(2)} ms: ${parts
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ')}`;
};
const totalOf = (perRequest: Record<string, number>) =>
  Object.values(perRequest)
    .filter(Number.isFinite)
    .reduce((sum, v) => sum + v, 0);

/** The floors' rows, beside the targets they bound (informational but for "none lost"). */
export function floorRows(floors: Floors, baseline: MeteredLoad & { burst: Burst }) {
  const { proxy, orders } = floors;
  const baselineCpu = totalOf(baseline.cpuMsPerRequest);
  const pipeline = totalOf(orders.pipeline.cpuMsPerRequest);
  return [
    {
      metric: 'Floor of 1: bare placement (one statement, NOTIFY, relay to JetStream)',
      value: `${Math.round(orders.rps)} req/s = ${ratio(orders.rps / baseline.rps)} baseline; CPU ${breakdown(orders.cpuMsPerRequest)}`,
      target: '–',
      pass: null,
    },
    {
      metric: '   floors: orders created / applied by each consumer floor',
      value: `${orders.created} / ${Object.entries(orders.applied)
        .map(([name, n]) => `${name} ${n}`)
        .join(', ')}`,
      target: 'none lost',
      pass: orders.nothingLost,
    },
    {
      metric: 'Floor of 2: bare proxy, placement and five consumers, CPU per order',
      value: `${pipeline.toFixed(2)} ms = ${ratio(pipeline / baselineCpu)} baseline request (${baselineCpu.toFixed(2)} ms); ${Math.round(orders.pipeline.rps)} req/s`,
      target: '–',
      pass: null,
    },
    {
      metric: '   floor of 2: CPU per order, by process',
      value: breakdown(orders.pipeline.cpuMsPerRequest),
      target: '–',
      pass: null,
    },
    {
      metric: 'Floor of 5: bare node:http proxy, CPU per request',
      value: `${proxy.proxyCpuMs.toFixed(3)} ms = ${ratio(proxy.proxyCpuMs / baselineCpu)} baseline request; ${Math.round(proxy.rps)} req/s`,
      target: '–',
      pass: null,
    },
    {
      metric: '   floor of 5 on http-proxy-3 (the library alone), CPU per request',
      value: `${proxy.library.proxyCpuMs.toFixed(3)} ms = ${ratio(proxy.library.proxyCpuMs / baselineCpu)} baseline request; ${Math.round(proxy.library.rps)} req/s`,
      target: '–',
      pass: null,
    },
    {
      metric: 'Floor of 6: 1000 buyers, 1 ticket, bare proxy + bare placement',
      value: `${Math.round(orders.flash.answeredMs)} ms ${JSON.stringify(orders.flash.statuses)} (baseline 2000 at once: ${Math.round(baseline.burst.answeredMs)} ms)`,
      target: 'one order',
      pass: orders.flash.consistent,
    },
  ];
}
