/**
 * `npm run bench`: starts the whole system from its builds, isolated as the system tests are
 * (private databases, bus prefix and queue), measures it, prints a table and writes
 * results/latest.json, results/latest.svg and the figures in the README. Everything it creates
 * (processes, databases, streams, Redis keys) is removed at the end, on failure and on Ctrl-C.
 *
 * Options: `--seconds N` measured window of the throughput runs (default 10); `--no-readme`;
 * `--only search` runs only the tickets search benchmark (its own seeded catalogue and tickets
 * service) and prints its rows, writing no results.
 */
import type { TestUser } from '@glotixz/common/testing';
import { startSystem, unlimitedOrders } from '../test/support/system';
import { mintUsers } from './fixtures';
import { cleanup, killOnExit, log, owned, root } from './harness';
import {
  allServices,
  baselineThroughput,
  expiryLateness,
  flashSale,
  orderConsumers,
  ordersPathAlone,
  ordersThroughput,
  Propagation,
  propagationIdle,
  propagationSampler,
  startupFigures,
  type FlashSale,
  type LoadSettings,
  waitQuiet,
} from './measure';
import {
  consoleTable,
  cpuBreakdown,
  machineInfo,
  rows,
  searchRows,
  writeResults,
  type Figures,
} from './report';
import { searchFigures } from './search';
import type { Distribution } from './stats';

/** The pg Pool size of the orders service: pg's default, as createPool sets none. */
const ordersPoolSize = 10;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** The parts that run alone with `--only`. */
const parts = ['search'] as const;

async function main(): Promise<void> {
  const only = option('--only');
  if (only !== undefined) {
    if (!parts.includes(only as (typeof parts)[number])) {
      throw new Error(`--only takes one of: ${parts.join(', ')}`);
    }
    log('search and event-page queries of the tickets service');
    const list = searchRows(await searchFigures());
    console.log(`\n${consoleTable(list)}\n`);
    return;
  }
  const settings: LoadSettings = {
    connections: 32,
    warmupMs: 2_000,
    durationMs: (Number(option('--seconds')) || 10) * 1000,
  };
  const machine = machineInfo(root);

  log('starting the system');
  // 256 buyers place every order of the throughput runs between them, far past any per-buyer limit.
  // The gateway in front, its access log kept in memory; every simulated buyer connects from
  // 127.0.0.1: one address, a thousand clients.
  const system = await startSystem({
    services: allServices,
    orderLimits: unlimitedOrders,
    gateway: true,
    env: { gateway: { GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: '100000' } },
  });
  const stopSystem = owned('system', () => system.stop());
  killOnExit(() =>
    [...Object.values(system.services), system.gateway].flatMap((s) => (s ? [s.process] : [])),
  );
  if (!system.gateway) throw new Error('no gateway');
  const gateway = { origin: system.gateway.url, pid: system.gateway.process.pid };

  log('start-up time and idle memory per service');
  const services = await startupFigures(system);

  const [seller] = mintUsers(system.keys, 1) as [TestUser];
  const buyers = mintUsers(system.keys, 256);
  const propagation = await Propagation.install(system);
  log('ticket.created → orders replica, idle');
  const idle = await propagationIdle(system, propagation, seller);

  log('baseline throughput');
  const baseline = await baselineThroughput(settings, ordersPoolSize, buyers);
  log(`baseline: ${Math.round(baseline.rps)} req/s`);

  log('orders throughput through the gateway, with propagation sampled meanwhile');
  let finishSampling: (() => Promise<Distribution>) | undefined;
  const orders = await ordersThroughput(system, gateway, settings, seller, buyers, () => {
    finishSampling = propagationSampler(system, propagation, seller);
  });
  if (!finishSampling) throw new Error('the orders run never reached its measured window');
  const underLoad = await finishSampling();
  log(
    `orders: ${Math.round(orders.rps)} req/s over ${orders.windowMs} ms, answers ${JSON.stringify(orders.statuses)}`,
  );

  const catchUpMs = await waitQuiet(system);
  log(`the services caught up with the order run's events ${Math.round(catchUpMs)} ms after it`);

  log(`diagnostic: the orders path alone, ${orderConsumers.join(', ')} stopped meanwhile`);
  const alone = await ordersPathAlone(system, gateway, settings, seller, buyers, orders.rps);
  log(
    `orders path alone: ${Math.round(alone.rps)} req/s over ${Math.round(alone.windowMs)} ms; after the restart ` +
      `${alone.created} orders created, ${alone.reserved} tickets reserved, ${alone.payable} in payments`,
  );

  const flashSales: FlashSale[] = [];
  for (const [tickets, buyerCount] of [
    [1, 500],
    [50, 1000],
  ] as const) {
    await waitQuiet(system);
    log(`flash sale: ${buyerCount} buyers, ${tickets} ticket(s)`);
    flashSales.push(await flashSale(system, gateway, seller, tickets, buyerCount));
  }
  await stopSystem();

  log('expiry lateness');
  const expiry = await expiryLateness();

  log('search and event-page queries of the tickets service');
  const search = await searchFigures();

  const figures: Figures = {
    machine,
    settings: { ...settings, poolSize: ordersPoolSize },
    throughput: {
      orders,
      baseline,
      ratio: orders.rps / baseline.rps,
      catchUpMs,
      alone: { ...alone, ratio: alone.rps / baseline.rps },
    },
    cpuPerOrder: {
      full: cpuBreakdown(orders.cpuMsPerRequest),
      alone: cpuBreakdown(alone.cpuMsPerRequest),
      baseline: cpuBreakdown(baseline.cpuMsPerRequest),
    },
    propagation: { idle, underLoad },
    flashSales,
    expiry,
    search,
    services,
  };
  const list = rows(figures);
  console.log(`\n${consoleTable(list)}\n`);
  await writeResults(root, figures, list, !process.argv.includes('--no-readme'));
  log('wrote e2e/bench/results/latest.json and latest.svg');
}

main()
  .catch((err: unknown) => {
    if (!(err instanceof Error && err.message === 'interrupted')) console.error(err);
    process.exitCode = 1;
  })
  .finally(() => cleanup());

process.on('uncaughtException', (err) => {
  console.error(err);
  void cleanup().then(() => process.exit(1));
});
// `on`, not `once`: a second signal (Ctrl-C again, or the one a wrapper relays) must not end the
// process before the cleanup has finished.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}
