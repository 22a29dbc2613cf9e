import { performance } from 'node:perf_hooks';
import type { TestUser } from '@glotixz/common/testing';
import type { ServiceName, System } from '../test/support/system';
import type { LoadSettings, MeteredLoad } from './baseline';
import { cpuMeter } from './cpu';
import { createTickets, postJson, query, waitReplicated } from './fixtures';
import { log } from './harness';
import { runLoad, type LoadResult } from './load';
import { databaseOf, gatewayOf, outsideMeter, systemMeter, waitQuiet } from './system-figures';

/** An order run: its load result, how many tickets it had, and the stand-ins' CPU apart. */
export interface OrdersThroughput extends MeteredLoad {
  ticketsListed: number;
  /** CPU ms per order of MailDev and the Stripe sandbox, not counted in `cpuMsPerRequest`. */
  outsideCpuMsPerRequest: Record<string, number>;
}

/** Each request orders the next ticket of `ids` as one of `buyers`, until the tickets run out. */
const orderEach = (ids: string[], buyers: TestUser[]) => (n: number) => {
  const ticketId = ids[n];
  return ticketId === undefined
    ? undefined
    : postJson('/api/orders', buyers[n % buyers.length] as TestUser, { ticketId });
};

/** Lists `count` tickets (stopping after `budgetMs`) and waits until orders' replica has them. */
export async function listReplicated(
  system: System,
  seller: TestUser,
  count: number,
  budgetMs = 60_000,
): Promise<string[]> {
  const listed = performance.now();
  const ids = await createTickets(system.services.tickets.url, seller, count, 16, listed + budgetMs);
  await waitReplicated(databaseOf(system, 'orders'), ids, 120_000);
  log(`${ids.length} tickets listed and replicated in ${Math.round(performance.now() - listed)} ms`);
  return ids;
}

/**
 * The full order run (target 2): orders through the gateway, each for a distinct ticket already
 * in the orders replica, while every service reacts to the events as usual. A short first run on
 * 1000 tickets warms the path up and tells how many tickets the measured run needs.
 * `onMeasureStart` is called at the start of the measured window.
 */
export async function ordersThroughput(
  system: System,
  settings: LoadSettings,
  seller: TestUser,
  buyers: TestUser[],
  onMeasureStart?: () => void,
): Promise<OrdersThroughput> {
  const first = await listReplicated(system, seller, 1000);
  const probe = await runLoad({
    url: gatewayOf(system).url,
    connections: settings.connections,
    warmupMs: 0,
    durationMs: 1500,
    request: orderEach(first, buyers),
  });
  // The warm-up runs cold, so the measured run may well be faster: twice the tickets, and more.
  const needed = Math.ceil(((probe.rps * (settings.warmupMs + settings.durationMs)) / 1000) * 2) + 500;
  log(`warm-up: ${Math.round(probe.rps)} req/s; listing ${needed} tickets`);
  const ids = await listReplicated(system, seller, needed);
  await waitQuiet(system);
  const meter = systemMeter(system);
  const outside = outsideMeter(system);
  const result = await runLoad({
    url: gatewayOf(system).url,
    ...settings,
    request: orderEach(ids, buyers),
    onMeasureStart: () => {
      meter.start();
      outside.start();
      onMeasureStart?.();
    },
  });
  return {
    ...result,
    ticketsListed: ids.length,
    cpuMsPerRequest: await meter.stop(result.completed),
    outsideCpuMsPerRequest: await outside.stop(result.completed),
  };
}

/** The services that only consume the events an order causes; the direct run stops them. */
export const orderConsumers: ServiceName[] = ['tickets', 'payments', 'expiration', 'notifications'];

/**
 * The direct order run (target 1): orders' own port, its consumers stopped meanwhile; where its
 * orders got to once the consumers were back and had caught up.
 */
export interface OrdersDirect extends OrdersThroughput, OrdersReached {
  /** From the consumers' restart until every outbox and consumer had caught up. */
  catchUpMs: number;
}

/**
 * What order placement costs on its own: `POST /api/orders` straight to the orders service (no
 * gateway), with nothing else sharing the cores. Tickets are listed and replicated first; then
 * the consumers of orders' events are stopped (SIGTERM: their durable consumers keep the
 * messages), the load runs, they start again and the run waits until they caught up, checking
 * every created order reserved its ticket in tickets and reached payments. `expectedRps` sizes
 * the listing (capped at `maxTickets`); a run that uses up its tickets ends its window there.
 */
export async function ordersDirect(
  system: System,
  settings: LoadSettings,
  seller: TestUser,
  buyers: TestUser[],
  expectedRps: number,
  maxTickets = 10_000,
): Promise<OrdersDirect> {
  const needed = Math.min(
    maxTickets,
    Math.ceil((expectedRps * 1.2 * (settings.warmupMs + settings.durationMs)) / 1000) + 500,
  );
  const ids = await listReplicated(system, seller, needed, 30_000);
  await waitQuiet(system);

  const stopped = orderConsumers.map((name) => system.services[name]);
  await Promise.all(stopped.map((service) => service.stop()));
  let result: LoadResult;
  let cpuMsPerRequest: Record<string, number>;
  try {
    const meter = systemMeter(system);
    result = await runLoad({
      url: system.services.orders.url,
      ...settings,
      onMeasureStart: () => meter.start(),
      request: orderEach(ids, buyers),
    });
    cpuMsPerRequest = await meter.stop(result.completed);
  } finally {
    await Promise.all(stopped.map((service) => service.restart()));
  }
  const restarted = performance.now();
  await waitQuiet(system);
  const catchUpMs = performance.now() - restarted;
  return {
    ...result,
    ticketsListed: ids.length,
    cpuMsPerRequest,
    outsideCpuMsPerRequest: {},
    ...(await ordersReached(system, ids, result.statuses['201'] ?? 0)),
    catchUpMs,
  };
}

/** Where the orders of a run got to: see {@link ordersReached}. */
export interface OrdersReached {
  /** Orders the run created (its 201 answers). */
  created: number;
  /** Tickets reserved by those orders in tickets. */
  reserved: number;
  /** Those orders in the payments replica. */
  payable: number;
  /** The orders service holds exactly `created` live orders for the tickets, and each reached tickets and payments. */
  nothingLost: boolean;
}

/**
 * Checks, once the system has caught up, that the `created` orders placed for `ticketIds` are in
 * orders and reached tickets (the ticket reserved) and payments (the order copied).
 */
export async function ordersReached(
  system: System,
  ticketIds: string[],
  created: number,
): Promise<OrdersReached> {
  const orderIds = (
    await query<{ id: string }>(
      databaseOf(system, 'orders'),
      `select id from orders where ticket_id = any($1::uuid[]) and status <> 'cancelled'`,
      [ticketIds],
    )
  ).map((row) => row.id);
  const [reserved] = await query<{ n: number }>(
    databaseOf(system, 'tickets'),
    'select count(*)::int as n from tickets where id = any($1::uuid[]) and order_id is not null',
    [ticketIds],
  );
  const [payable] = await query<{ n: number }>(
    databaseOf(system, 'payments'),
    'select count(*)::int as n from orders where id = any($1::uuid[])',
    [orderIds],
  );
  return {
    created,
    reserved: reserved?.n ?? 0,
    payable: payable?.n ?? 0,
    nothingLost: orderIds.length === created && reserved?.n === created && payable?.n === created,
  };
}

/** The gateway's cost per proxied request (target 5) and the upstream's beside it. */
export interface GatewayOverhead extends MeteredLoad {
  /** CPU ms of the gateway process per request. */
  gatewayCpuMs: number;
}

/**
 * Closed-loop `GET /api/users/currentuser` without a cookie through the gateway: auth answers it
 * without touching its database, so the gateway's share is as large as it gets.
 */
export async function gatewayOverhead(system: System, settings: LoadSettings): Promise<GatewayOverhead> {
  const result = await proxiedCurrentUser(system, gatewayOf(system), 'gateway', settings);
  return { ...result, gatewayCpuMs: result.cpuMsPerRequest.gateway ?? Number.NaN };
}

/**
 * Target 5's load: closed-loop `GET /api/users/currentuser` without a cookie through `proxy` (the
 * gateway, or a floor's bare proxy) in front of auth; CPU per request of the proxy (as `label`),
 * auth and the load generator.
 */
export async function proxiedCurrentUser(
  system: System,
  proxy: { url: string; process?: { pid?: number | undefined }; pid?: number | undefined },
  label: string,
  settings: LoadSettings,
): Promise<MeteredLoad> {
  const pids = (pid: number | undefined) => (pid === undefined ? [] : [pid]);
  const meter = cpuMeter(() =>
    Promise.resolve({
      [label]: pids(proxy.process?.pid ?? proxy.pid),
      auth: pids(system.services.auth.process.pid),
      'load generator': [process.pid],
    }),
  );
  const result = await runLoad({
    url: proxy.url,
    ...settings,
    warmupMs: Math.min(settings.warmupMs, 1000),
    onMeasureStart: () => meter.start(),
    request: () => ({ method: 'GET', path: '/api/users/currentuser' }),
  });
  return { ...result, cpuMsPerRequest: await meter.stop(result.completed) };
}
