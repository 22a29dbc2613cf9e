import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { streams, type StreamName } from '@glotixz/common/events';
import { connectTestBus, createTestDatabase, sleep, type TestUser } from '@glotixz/common/testing';
import { startSystem, type ServiceName, type System } from '../test/support/system';
import {
  connectedClient,
  createTicket,
  createTickets,
  mintUsers,
  postJson,
  query,
  RowClock,
  until,
  waitReplicated,
} from './fixtures';
import { freePort } from '../test/support/ports';
import { killOnExit, log, onCleanup, owned, probe, rssMb, spawnOwned, stopChild } from './harness';
import { cpuMeter, postgresBackends, type ProcessGroups } from './cpu';
import { keepAliveAgent, runLoad, send, type LoadResult } from './load';
import { distribution, type Distribution } from './stats';

/** The services whose start-up and memory are measured. */
export const allServices: ServiceName[] = ['auth', 'tickets', 'orders', 'payments', 'expiration'];

/** The settings of the throughput runs. */
export interface LoadSettings {
  connections: number;
  warmupMs: number;
  durationMs: number;
}

/** A database URL of the system, which every service but expiration has. */
export function databaseOf(system: System, service: ServiceName): string {
  const url = system.databases[service];
  if (!url) throw new Error(`${service} has no database`);
  return url;
}

/** Start-up time and idle memory of one service. */
export interface ServiceFigures {
  /** Spawn → first `/readyz` 200, on a restart (migrations already applied). */
  readyMs: number;
  /** VmRSS a few seconds after it became ready, without traffic. */
  rssMb: number;
}

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
  const figures = {} as Record<ServiceName, ServiceFigures>;
  for (const name of allServices) {
    figures[name] = {
      readyMs: ready.get(name) ?? Number.NaN,
      rssMb: rssMb(system.services[name].process.pid),
    };
  }
  return figures;
}

/**
 * Times `ticket.created` from the moment tickets wrote it to its outbox to the moment orders
 * wrote the ticket into its replica. Both instants come from Postgres (`clock_timestamp()` in
 * triggers the bench installs on the test databases), so the bench's own event loop adds nothing.
 */
export class Propagation {
  private constructor(
    private readonly outbox: RowClock,
    private readonly replica: RowClock,
  ) {}

  static async install(system: System): Promise<Propagation> {
    const outbox = await RowClock.install(
      databaseOf(system, 'tickets'),
      'bench_outbox_clock',
      'outbox',
      "new.envelope->'data'->>'id'",
      "new.envelope->>'subject' = 'ticket.created'",
    );
    onCleanup('tickets listener', () => outbox.close());
    const replica = await RowClock.install(
      databaseOf(system, 'orders'),
      'bench_replica_clock',
      'tickets',
      'new.id::text',
    );
    onCleanup('orders listener', () => replica.close());
    return new Propagation(outbox, replica);
  }

  async lagMs(ticketId: string): Promise<number> {
    const [from, to] = await Promise.all([this.outbox.wait(ticketId), this.replica.wait(ticketId)]);
    return to - from;
  }
}

/** `samples` tickets one after another with small random gaps, each waited for in the replica. */
export async function propagationIdle(
  system: System,
  propagation: Propagation,
  seller: TestUser,
  samples = 200,
): Promise<Distribution> {
  const agent = keepAliveAgent(1);
  const origin = new URL(system.services.tickets.url);
  const lags: number[] = [];
  try {
    for (let i = 0; i < samples; i += 1) {
      const id = await createTicket(agent, origin, seller, i);
      lags.push(await propagation.lagMs(id));
      await sleep(10 + Math.random() * 20);
    }
  } finally {
    agent.destroy();
  }
  return distribution(lags);
}

/** Lists a ticket every `everyMs` until the returned function is called, which answers the lags. */
export function propagationSampler(
  system: System,
  propagation: Propagation,
  seller: TestUser,
  everyMs = 50,
): () => Promise<Distribution> {
  const agent = keepAliveAgent(4);
  const origin = new URL(system.services.tickets.url);
  const pending: Promise<number>[] = [];
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n += 1) {
      const started = performance.now();
      pending.push(createTicket(agent, origin, seller, n).then((id) => propagation.lagMs(id)));
      await sleep(Math.max(0, everyMs - (performance.now() - started)));
    }
  })();
  return async () => {
    running = false;
    await loop;
    try {
      return distribution(await Promise.all(pending));
    } finally {
      agent.destroy();
    }
  };
}

/**
 * The baseline: baseline-server.ts (node:http + one INSERT through a pg Pool of `poolSize`) on
 * its own database, under the same load as the orders run, with the same request.
 */
export async function baselineThroughput(
  settings: LoadSettings,
  poolSize: number,
  buyers: TestUser[],
): Promise<MeteredLoad> {
  const database = await createTestDatabase();
  onCleanup('baseline database', () => database.drop());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await spawnOwned(
    'baseline server',
    [process.execPath, '--import', 'tsx', path.join(__dirname, 'baseline-server.ts')],
    {
      BASELINE_DATABASE_URL: database.url,
      BASELINE_PORT: String(port),
      BASELINE_POOL_SIZE: String(poolSize),
    },
    { url, status: 200 },
  );
  const meter = cpuMeter(async () => ({
    'baseline server': child.pid === undefined ? [] : [child.pid],
    postgres: await postgresBackends([database.url]),
    'load generator': [process.pid],
  }));
  try {
    const result = await runLoad({
      url,
      ...settings,
      onMeasureStart: () => meter.start(),
      request: (n) =>
        postJson('/api/orders', buyers[n % buyers.length] as TestUser, { ticketId: crypto.randomUUID() }),
    });
    return { ...result, cpuMsPerRequest: await meter.stop(result.completed) };
  } finally {
    await stopChild(child);
  }
}

/** A load result with the CPU time each group of processes spent per request in the window. */
export interface MeteredLoad extends LoadResult {
  cpuMsPerRequest: Record<string, number>;
}

/** The orders run: its load result and how many tickets it had. */
export interface OrdersThroughput extends MeteredLoad {
  ticketsListed: number;
}

/**
 * Orders created through the gateway, each for a distinct ticket already in the orders replica,
 * so every one succeeds. A short first run on 1000 tickets warms the path up and tells how many
 * tickets the measured run needs; listing stops after `listingBudgetMs`, and a run that uses up
 * its tickets ends its window there.
 */
export async function ordersThroughput(
  system: System,
  gateway: { origin: string; pid: number | undefined },
  settings: LoadSettings,
  seller: TestUser,
  buyers: TestUser[],
  onMeasureStart: () => void,
  listingBudgetMs = 60_000,
): Promise<OrdersThroughput> {
  const ordersDb = databaseOf(system, 'orders');
  const order = (ids: string[]) => (n: number) => {
    const ticketId = ids[n];
    return ticketId === undefined
      ? undefined
      : postJson('/api/orders', buyers[n % buyers.length] as TestUser, { ticketId });
  };
  const first = await createTickets(system.services.tickets.url, seller, 1000);
  await waitReplicated(ordersDb, first);
  const probe = await runLoad({
    url: gateway.origin,
    connections: settings.connections,
    warmupMs: 0,
    durationMs: 1500,
    request: order(first),
  });
  // The warm-up runs cold, so the measured run may well be faster: twice the tickets, and more.
  const needed = Math.ceil(((probe.rps * (settings.warmupMs + settings.durationMs)) / 1000) * 2) + 500;
  log(`warm-up: ${Math.round(probe.rps)} req/s; listing ${needed} tickets`);
  const listed = performance.now();
  const ids = await createTickets(system.services.tickets.url, seller, needed, 16, listed + listingBudgetMs);
  await waitReplicated(ordersDb, ids, 120_000);
  log(`${ids.length} tickets listed and replicated in ${Math.round(performance.now() - listed)} ms`);
  const meter = cpuMeter(async () => {
    const groups: ProcessGroups = {};
    if (gateway.pid !== undefined) groups.gateway = [gateway.pid];
    for (const [name, service] of Object.entries(system.services)) {
      if (service.process.pid !== undefined) groups[name] = [service.process.pid];
    }
    groups.postgres = await postgresBackends(Object.values(system.databases));
    groups['load generator'] = [process.pid];
    return groups;
  });
  const result = await runLoad({
    url: gateway.origin,
    ...settings,
    request: order(ids),
    onMeasureStart: () => {
      meter.start();
      onMeasureStart();
    },
  });
  return { ...result, ticketsListed: ids.length, cpuMsPerRequest: await meter.stop(result.completed) };
}

/** The services that only consume the events an order causes; the diagnostic run stops them. */
export const orderConsumers: ServiceName[] = ['tickets', 'payments', 'expiration'];

/** The diagnostic orders run: the path of an order alone, its consumers stopped meanwhile. */
export interface OrdersPathAlone extends OrdersThroughput {
  /** Orders the run created (201 answers). */
  created: number;
  /** Once the consumers were back and had caught up: tickets reserved by those orders in tickets. */
  reserved: number;
  /** … and those orders in the payments replica. */
  payable: number;
  /** From the consumers' restart until every outbox and consumer had caught up. */
  catchUpMs: number;
  /** Every created order reached tickets and payments. */
  nothingLost: boolean;
}

/**
 * A diagnostic: what order creation costs on its own path (gateway, orders, its Postgres), with
 * nothing else sharing the cores. Tickets are listed and replicated first; then tickets, payments
 * and expiration are stopped (SIGTERM: their durable consumers keep the messages), the same load
 * runs through the gateway, the three start again and the run waits until they caught up, checking
 * every created order reserved its ticket in tickets and reached payments. `expectedRps` (the full
 * run's) sizes the listing; a run that uses up its tickets ends its window there.
 */
export async function ordersPathAlone(
  system: System,
  gateway: { origin: string; pid: number | undefined },
  settings: LoadSettings,
  seller: TestUser,
  buyers: TestUser[],
  expectedRps: number,
  maxTickets = 12_000,
  listingBudgetMs = 30_000,
): Promise<OrdersPathAlone> {
  const ordersDb = databaseOf(system, 'orders');
  // Alone, orders should be several times faster than with its consumers beside it; unused
  // tickets cost listing time, so no more than `maxTickets`.
  const needed = Math.min(
    maxTickets,
    Math.ceil((expectedRps * 5 * (settings.warmupMs + settings.durationMs)) / 1000) + 1000,
  );
  const listed = performance.now();
  const ids = await createTickets(system.services.tickets.url, seller, needed, 16, listed + listingBudgetMs);
  await waitReplicated(ordersDb, ids, 120_000);
  log(`${ids.length} tickets listed and replicated in ${Math.round(performance.now() - listed)} ms`);
  await waitQuiet(system);

  const stopped = orderConsumers.map((name) => system.services[name]);
  await Promise.all(stopped.map((service) => service.stop()));
  let result: LoadResult;
  let cpuMsPerRequest: Record<string, number>;
  try {
    const meter = cpuMeter(async () => {
      const groups: ProcessGroups = {};
      if (gateway.pid !== undefined) groups.gateway = [gateway.pid];
      for (const [name, service] of Object.entries(system.services)) {
        const running = service.process.exitCode === null && service.process.signalCode === null;
        if (running && service.process.pid !== undefined) groups[name] = [service.process.pid];
      }
      groups.postgres = await postgresBackends(Object.values(system.databases));
      groups['load generator'] = [process.pid];
      return groups;
    });
    result = await runLoad({
      url: gateway.origin,
      ...settings,
      onMeasureStart: () => meter.start(),
      request: (n) => {
        const ticketId = ids[n];
        return ticketId === undefined
          ? undefined
          : postJson('/api/orders', buyers[n % buyers.length] as TestUser, { ticketId });
      },
    });
    cpuMsPerRequest = await meter.stop(result.completed);
  } finally {
    await Promise.all(stopped.map((service) => service.restart()));
  }
  const restarted = performance.now();
  await waitQuiet(system);
  const catchUpMs = performance.now() - restarted;
  const orderIds = (
    await query<{ id: string }>(
      ordersDb,
      `select id from orders where ticket_id = any($1::uuid[]) and status <> 'cancelled'`,
      [ids],
    )
  ).map((row) => row.id);
  const [reserved] = await query<{ n: number }>(
    databaseOf(system, 'tickets'),
    'select count(*)::int as n from tickets where id = any($1::uuid[]) and order_id is not null',
    [ids],
  );
  const [payable] = await query<{ n: number }>(
    databaseOf(system, 'payments'),
    'select count(*)::int as n from orders where id = any($1::uuid[])',
    [orderIds],
  );
  const created = result.statuses['201'] ?? 0;
  return {
    ...result,
    ticketsListed: ids.length,
    cpuMsPerRequest,
    created,
    reserved: reserved?.n ?? 0,
    payable: payable?.n ?? 0,
    catchUpMs,
    nothingLost: orderIds.length === created && reserved?.n === created && payable?.n === created,
  };
}

/**
 * Waits until the system has caught up with its events: every outbox empty and no JetStream
 * consumer with messages pending or unacknowledged. Answers how long that took.
 */
export async function waitQuiet(system: System, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  const bus = await connectTestBus(system.prefix, {
    url: system.natsUrl,
    ensureStreams: false,
    name: 'bench',
  });
  const publishers: ServiceName[] = ['tickets', 'orders', 'payments'];
  const clients = publishers.flatMap((name) => {
    const url = system.databases[name];
    return url ? [connectedClient(url)] : [];
  });
  try {
    await Promise.all(clients.map((c) => c.connect()));
    await until(
      async () => {
        for (const client of clients) {
          const { rows } = await client.query<{ n: number }>('select count(*)::int as n from outbox');
          if ((rows[0]?.n ?? 0) > 0) return false;
        }
        for (const stream of Object.keys(streams) as StreamName[]) {
          const consumers = await bus.jsm.consumers.list(bus.streamName(stream)).next();
          if (consumers.some((c) => c.num_pending > 0 || c.num_ack_pending > 0)) return false;
        }
        return true;
      },
      timeoutMs,
      'the services to catch up with their events',
      100,
    );
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await bus.close();
  }
  return performance.now() - started;
}

/** What one flash sale showed. */
export interface FlashSale {
  buyers: number;
  tickets: number;
  /** First request sent → last answer read. */
  answeredMs: number;
  /** First request sent → one live order per ticket in orders and every ticket reserved by it in tickets. */
  settledMs: number;
  statuses: Record<string, number>;
  /** Exactly one 201 per ticket, every other answer 409, and both databases agree. */
  consistent: boolean;
}

/**
 * `buyers` buyers, each on its own connection, order at once through the gateway; buyer i wants
 * ticket i mod `ticketCount`. Measures until every answer is in and both databases settled.
 */
export async function flashSale(
  system: System,
  gateway: { origin: string },
  seller: TestUser,
  ticketCount: number,
  buyerCount: number,
): Promise<FlashSale> {
  const ticketIds = await createTickets(system.services.tickets.url, seller, ticketCount, 8);
  const ordersDb = connectedClient(databaseOf(system, 'orders'));
  const ticketsDb = connectedClient(databaseOf(system, 'tickets'));
  await Promise.all([ordersDb.connect(), ticketsDb.connect()]);
  try {
    await waitReplicated(databaseOf(system, 'orders'), ticketIds);
    const buyers = mintUsers(system.keys, buyerCount);
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const origin = new URL(gateway.origin);
    const statuses: Record<string, number> = {};
    const started = performance.now();
    await Promise.all(
      buyers.map(async (buyer, i) => {
        let key = 'error';
        try {
          const ticketId = ticketIds[i % ticketCount];
          key = String((await send(agent, origin, postJson('/api/orders', buyer, { ticketId }))).status);
        } catch {
          // counted as an error
        }
        statuses[key] = (statuses[key] ?? 0) + 1;
      }),
    );
    const answeredMs = performance.now() - started;
    agent.destroy();
    let live: { ticket_id: string; id: string }[] = [];
    let reserved: { id: string; order_id: string }[] = [];
    await until(
      async () => {
        [live, reserved] = await Promise.all([
          ordersDb
            .query<{ ticket_id: string; id: string }>(
              `select ticket_id, id from orders where ticket_id = any($1::uuid[]) and status <> 'cancelled'`,
              [ticketIds],
            )
            .then((r) => r.rows),
          ticketsDb
            .query<{ id: string; order_id: string }>(
              'select id, order_id from tickets where id = any($1::uuid[]) and order_id is not null',
              [ticketIds],
            )
            .then((r) => r.rows),
        ]);
        return live.length === ticketCount && reserved.length === ticketCount;
      },
      30_000,
      'the flash sale to settle',
      5,
    );
    const settledMs = performance.now() - started;
    const winners = new Map(live.map((row) => [row.ticket_id, row.id]));
    const consistent =
      statuses['201'] === ticketCount &&
      statuses['409'] === buyerCount - ticketCount &&
      winners.size === ticketCount &&
      reserved.every((row) => winners.get(row.id) === row.order_id);
    return { buyers: buyerCount, tickets: ticketCount, answeredMs, settledMs, statuses, consistent };
  } finally {
    await Promise.all([ordersDb.end(), ticketsDb.end()]);
  }
}

/** How late unpaid orders were cancelled after their `expiresAt`. */
export interface ExpiryFigures {
  windowSeconds: number;
  lateness: Distribution;
}

/**
 * A system of tickets, orders and expiration with a short expiration window and the backstop
 * sweeper held back, so every cancellation is the expiration service's: `count` orders, and
 * per order the cancellation time (the row's `updated_at`) minus `expires_at`.
 */
export async function expiryLateness(count = 100, windowSeconds = 3): Promise<ExpiryFigures> {
  const system = await startSystem({
    services: ['tickets', 'orders', 'expiration'],
    env: {
      orders: {
        EXPIRATION_WINDOW_SECONDS: String(windowSeconds),
        SWEEP_INTERVAL_SECONDS: '5',
        SWEEP_GRACE_SECONDS: '20',
      },
    },
  });
  const stop = owned('expiry system', () => system.stop());
  killOnExit(() => Object.values(system.services).map((s) => s.process));
  try {
    const ordersDb = databaseOf(system, 'orders');
    const [seller] = mintUsers(system.keys, 1) as [TestUser];
    const ticketIds = await createTickets(system.services.tickets.url, seller, count, 8);
    await waitReplicated(ordersDb, ticketIds);
    const buyers = mintUsers(system.keys, count);
    const agent = keepAliveAgent(8);
    const origin = new URL(system.services.orders.url);
    try {
      await Promise.all(
        ticketIds.map(async (ticketId, i) => {
          const res = await send(agent, origin, postJson('/api/orders', buyers[i] as TestUser, { ticketId }));
          if (res.status !== 201) throw new Error(`order answered ${res.status}: ${res.body}`);
        }),
      );
    } finally {
      agent.destroy();
    }
    log(`${count} orders placed; waiting for them to expire`);
    const client = connectedClient(ordersDb);
    await client.connect();
    try {
      await until(
        async () => {
          const { rows } = await client.query<{ n: number }>(
            `select count(*)::int as n from orders where status = 'cancelled'`,
          );
          return rows[0]?.n === count;
        },
        windowSeconds * 1000 + 20_000,
        'every order to expire',
        20,
      );
      const { rows } = await client.query<{ late_ms: number }>(
        'select (extract(epoch from (updated_at - expires_at)) * 1000)::float8 as late_ms from orders',
      );
      return { windowSeconds, lateness: distribution(rows.map((r) => r.late_ms)) };
    } finally {
      await client.end();
    }
  } finally {
    await stop();
  }
}
