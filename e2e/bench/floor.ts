import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestUser } from '@glotixz/common/testing';
import type { System } from '../test/support/system';
import { freePort } from '../test/support/ports';
import { burst, type Burst, type LoadSettings, type MeteredLoad } from './baseline';
import { cpuMeter, natsServerPid, postgresBackends } from './cpu';
import { mintUsers, postJson, query, until } from './fixtures';
import { owned, spawnOwned, stopChild } from './harness';
import { runLoad } from './load';

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
}

/**
 * Target 5's floor: `GET /api/users/currentuser` without a cookie, as the gateway run sends it,
 * through a bare node:http proxy in front of the same auth process.
 */
export async function proxyFloor(system: System, settings: LoadSettings): Promise<ProxyFloor> {
  const auth = system.services.auth;
  const floor = await startFloor(
    'proxy floor',
    { FLOOR_MODE: 'proxy', FLOOR_UPSTREAM: auth.url },
    '/api/users/currentuser',
  );
  try {
    const meter = cpuMeter(() =>
      Promise.resolve({
        proxy: pids(floor.pid),
        auth: pids(auth.process.pid),
        'load generator': [process.pid],
      }),
    );
    const result = await runLoad({
      url: floor.url,
      ...settings,
      warmupMs: Math.min(settings.warmupMs, 1000),
      onMeasureStart: () => meter.start(),
      request: () => ({ method: 'GET', path: '/api/users/currentuser' }),
    });
    const cpuMsPerRequest = await meter.stop(result.completed);
    return { ...result, cpuMsPerRequest, proxyCpuMs: cpuMsPerRequest.proxy ?? Number.NaN };
  } finally {
    await floor.stop();
  }
}

/** The order floor's figures: target 1's load on floor-server.ts's placement, and a flash sale. */
export interface OrderFloor extends MeteredLoad {
  created: number;
  /** Orders published to JetStream once the relay caught up. */
  published: number;
  /** Orders the consumer floor applied (inbox and replica rows) once it caught up. */
  applied: number;
  /** Every order created was published once and applied once. */
  nothingLost: boolean;
  /** 1,000 buyers at once for one ticket, through the bare proxy. */
  flash: Burst & { consistent: boolean };
}

/**
 * Target 1's floor (and target 6's): the order placement of floor-server.ts (one statement for
 * the order, its outbox row and the NOTIFY; a relay publishing to JetStream) on a database of its
 * own, under the direct run's closed-loop load with the same buyers' tokens; then 1,000 buyers at
 * once ordering one ticket through the bare proxy, as the flash sale sends them through the gateway.
 */
export async function orderFloor(
  system: System,
  settings: LoadSettings,
  buyers: TestUser[],
  expectedRps: number,
): Promise<OrderFloor> {
  const database = await createTestDatabase();
  const dropDatabase = owned('floor database', () => database.drop());
  const tag = randomBytes(4).toString('hex');
  const stream = `FLOOR_${tag.toUpperCase()}`;
  const subject = `floor_${tag}.order.created`;
  await system.bus.jsm.streams.add({ name: stream, subjects: [subject] });
  const deleteStream = owned('floor stream', () => system.bus.jsm.streams.delete(stream));
  const consumerDatabase = await createTestDatabase();
  const dropConsumerDatabase = owned('floor consumer database', () => consumerDatabase.drop());
  let floor: FloorServer | undefined;
  let consumer: FloorServer | undefined;
  let proxy: FloorServer | undefined;
  try {
    consumer = await startFloor(
      'consumer floor',
      {
        FLOOR_MODE: 'consumer',
        FLOOR_DATABASE_URL: consumerDatabase.url,
        FLOOR_NATS_URL: system.natsUrl,
        FLOOR_STREAM: stream,
        FLOOR_SUBJECT: subject,
      },
      '/',
    );
    floor = await startFloor(
      'order floor',
      {
        FLOOR_MODE: 'orders',
        FLOOR_DATABASE_URL: database.url,
        FLOOR_NATS_URL: system.natsUrl,
        FLOOR_SUBJECT: subject,
        FLOOR_PUBLIC_KEY: system.keys.publicKey,
      },
      '/',
    );
    const count = Math.min(
      200_000,
      Math.ceil((expectedRps * 1.5 * (settings.warmupMs + settings.durationMs)) / 1000),
    );
    const ids = (
      await query<{ id: string }>(
        database.url,
        'insert into tickets select gen_random_uuid(), 1000 from generate_series(1, $1::int) returning id',
        [count],
      )
    ).map((row) => row.id);
    const server = floor;
    const applier = consumer;
    const meter = cpuMeter(async () => ({
      'order floor': pids(server.pid),
      'postgres (placement)': await postgresBackends([database.url]),
      'consumer floor': pids(applier.pid),
      'postgres (consumer)': await postgresBackends([consumerDatabase.url]),
      'nats-server': pids(natsServerPid(system.natsUrl)),
      'load generator': [process.pid],
    }));
    const result = await runLoad({
      url: floor.url,
      ...settings,
      onMeasureStart: () => meter.start(),
      request: (n) => {
        const ticketId = ids[n];
        return ticketId === undefined
          ? undefined
          : postJson('/api/orders', buyers[n % buyers.length]!, { ticketId });
      },
    });
    const cpuMsPerRequest = await meter.stop(result.completed);
    const created = result.statuses['201'] ?? 0;
    await until(
      async () => (await query(database.url, 'select 1 from outbox limit 1')).length === 0,
      60_000,
      'the order floor relay to catch up',
    );
    const published = Number((await system.bus.jsm.streams.info(stream)).state.messages);
    const appliedCount = async () =>
      (await query<{ n: number }>(consumerDatabase.url, 'select count(*)::int as n from replica'))[0]?.n ?? 0;
    await until(async () => (await appliedCount()) >= created, 60_000, 'the consumer floor to catch up');
    const applied = await appliedCount();

    proxy = await startFloor('proxy floor', { FLOOR_MODE: 'proxy', FLOOR_UPSTREAM: floor.url }, '/');
    const [one] = await query<{ id: string }>(
      database.url,
      'insert into tickets values (gen_random_uuid(), 1000) returning id',
    );
    const flashBuyers = mintUsers(system.keys, 1000);
    const flash = await burst(
      proxy.url,
      flashBuyers.map((buyer) => postJson('/api/orders', buyer, { ticketId: one!.id })),
      flashBuyers.length,
    );
    return {
      ...result,
      cpuMsPerRequest,
      created,
      published,
      applied,
      nothingLost: published === created && applied === created,
      flash: { ...flash, consistent: flash.statuses['201'] === 1 && flash.statuses['409'] === 999 },
    };
  } finally {
    await proxy?.stop();
    await floor?.stop();
    await consumer?.stop();
    await deleteStream();
    await dropDatabase();
    await dropConsumerDatabase();
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

/**
 * How often the full run's pipeline applies one order's events with a transaction and an inbox
 * row: `order.created` in tickets, payments, expiration and notifications, and tickets'
 * `ticket.updated` (reserved) in orders.
 */
export const APPLICATIONS_PER_ORDER = 5;

/**
 * Target 2's floor from the order floor's run: the placement with its relay and the NATS server,
 * the load generator, and {@link APPLICATIONS_PER_ORDER} times what the consumer floor and its
 * Postgres backend spent per order. Still low: no consumer here publishes an event of its own
 * nor sends an email, as tickets and notifications do.
 */
export function pipelineFloorMs(orders: OrderFloor): number {
  const c = orders.cpuMsPerRequest;
  const consumer = (c['consumer floor'] ?? 0) + (c['postgres (consumer)'] ?? 0);
  return totalOf(c) - consumer + APPLICATIONS_PER_ORDER * consumer;
}

/** The floors' rows, beside the targets they bound (informational but for "none lost"). */
export function floorRows(floors: Floors, baseline: MeteredLoad & { burst: Burst }) {
  const { proxy, orders } = floors;
  const baselineCpu = totalOf(baseline.cpuMsPerRequest);
  const pipeline = pipelineFloorMs(orders);
  return [
    {
      metric: 'Floor of 1: bare placement (one statement, NOTIFY, relay to JetStream)',
      value: `${Math.round(orders.rps)} req/s = ${ratio(orders.rps / baseline.rps)} baseline; CPU ${breakdown(orders.cpuMsPerRequest)}`,
      target: '–',
      pass: null,
    },
    {
      metric: '   floor of 1: orders created / published / applied by the consumer floor',
      value: `${orders.created} / ${orders.published} / ${orders.applied}`,
      target: 'none lost',
      pass: orders.nothingLost,
    },
    {
      metric: `Floor of 2: placement + ${APPLICATIONS_PER_ORDER} × a bare consumer (inbox + replica row, batched)`,
      value: `${pipeline.toFixed(2)} ms = ${ratio(pipeline / baselineCpu)} baseline request (${baselineCpu.toFixed(2)} ms)`,
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
      metric: 'Floor of 6: 1000 buyers, 1 ticket, bare proxy + bare placement',
      value: `${Math.round(orders.flash.answeredMs)} ms ${JSON.stringify(orders.flash.statuses)} (baseline 2000 at once: ${Math.round(baseline.burst.answeredMs)} ms)`,
      target: 'one order',
      pass: orders.flash.consistent,
    },
  ];
}
