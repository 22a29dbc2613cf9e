/**
 * `npm run bench`: starts the whole system from its builds, isolated as the system tests are
 * (private databases, bus prefix and queue), measures it, prints a table and writes
 * results/latest.json, results/latest.svg and the figures in the README. Everything it creates
 * (processes, databases, streams, Redis keys) is removed at the end, on failure and on Ctrl-C.
 *
 * Options: `--seconds N` measured window of the throughput runs (default 10); `--no-readme`;
 * `--only search` runs only the tickets search benchmark (its own seeded catalogue and tickets
 * service) and prints its rows, writing no results; `--only scale` likewise the scale-out
 * section (its own NATS clusters and systems).
 */
import path from 'node:path';
import type { TestUser } from '@glotixz/common/testing';
import { startSystem, unlimitedOrders, type System } from '../test/support/system';
import { baselineFigures, type LoadSettings } from './baseline';
import { mintKnownUsers, mintUsers } from './fixtures';
import { expiryLateness, flashSale, type FlashSale } from './flash';
import { floorRows, orderFloor, proxyFloor } from './floor';
import { cleanup, killOnExit, log, owned, root } from './harness';
import { gatewayOverhead, orderConsumers, ordersDirect, ordersThroughput } from './orders';
import { EventLag, propagationIdle } from './propagation';
import { monotonicUs, profileLines, readProfiles, restartProfiled, restartUnprofiled } from './profile';
import { consoleTable, cpuBreakdown, machineInfo, rows, scaleRows, searchRows, type Figures } from './report';
import { writeResults } from './results';
import { scaleFigures } from './scale-out';
import { searchFigures } from './search';
import { sustainableRate } from './sustainable';
import { allServices, startupFigures, waitQuiet } from './system-figures';

/** The pg Pool size of the orders service: pg's default, as createPool sets none. */
const ordersPoolSize = 10;

/** Where the full order run's CPU profiles go (gitignored). */
const profilesDir = path.join(__dirname, 'results', 'profiles');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** The parts that run alone with `--only`. */
const parts = ['search', 'floor', 'scale'] as const;

/** The scale-out order runs: half the measured window, as they start two systems of their own. */
const scaleSettings = (settings: LoadSettings): LoadSettings => ({
  ...settings,
  durationMs: Math.max(3_000, settings.durationMs / 2),
});

/** The whole system, the gateway in front, every buyer allowed any number of orders. */
async function startBenchSystem(): Promise<{ system: System; stop: () => Promise<void> }> {
  // Every simulated buyer connects from 127.0.0.1: one address, a thousand clients.
  const system = await startSystem({
    services: allServices,
    orderLimits: unlimitedOrders,
    gateway: true,
    env: { gateway: { GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: '100000' } },
  });
  const stop = owned('system', () => system.stop());
  killOnExit(() =>
    [...Object.values(system.services), system.gateway, system.mail, system.sandbox].flatMap((s) =>
      s ? [s.process] : [],
    ),
  );
  return { system, stop };
}

/**
 * The full order run through the gateway (target 2), every service and the gateway profiled
 * from their restart before it (so the warm-up run warms the profiled processes up) until they
 * caught up with its events; the summaries cover the measured window and the catch-up.
 */
async function fullRun(system: System, settings: LoadSettings, seller: TestUser, buyers: TestUser[]) {
  await restartProfiled(system, profilesDir);
  let fromUs = 0;
  const orders = await ordersThroughput(system, settings, seller, buyers, () => {
    fromUs = monotonicUs();
  });
  log(
    `orders: ${Math.round(orders.rps)} req/s over ${orders.windowMs} ms, answers ${JSON.stringify(orders.statuses)}`,
  );
  const catchUpMs = await waitQuiet(system);
  log(`the services caught up with the order run's events ${Math.round(catchUpMs)} ms after it`);
  const profileWindow = { fromUs, toUs: monotonicUs() };
  await restartUnprofiled(system);
  return { ...orders, catchUpMs, profiles: readProfiles(profilesDir, root, profileWindow) };
}

/** Every figure of the run but the machine's, the expiry system's and the search's. */
async function measureSystem(settings: LoadSettings) {
  log('starting the system');
  const { system, stop } = await startBenchSystem();
  log('start-up time and idle memory per service');
  const services = await startupFigures(system);
  const [seller] = (await mintKnownUsers(system, 1)) as [TestUser];
  // 256 buyers place every order of the throughput runs between them, far past any per-buyer limit.
  const buyers = await mintKnownUsers(system, 256);
  const ticketLag = await EventLag.ticketCreated(system);
  const orderLag = await EventLag.orderCreated(system);
  log('ticket.created → orders replica, idle');
  const propagationIdleMs = await propagationIdle(system, ticketLag, seller);

  log('baseline: closed loop, then 2,000 requests at once');
  const baseline = await baselineFigures(settings, ordersPoolSize, buyers, 2 * 1000);
  log(
    `baseline: ${Math.round(baseline.rps)} req/s; 2,000 at once in ${Math.round(baseline.burst.answeredMs)} ms`,
  );

  log('gateway overhead: GET /api/users/currentuser without a cookie');
  const gateway = await gatewayOverhead(system, settings);
  log('floor of the gateway: a bare node:http proxy, the same load');
  const proxy = await proxyFloor(system, settings);

  log('full order run through the gateway, profiled');
  const full = await fullRun(system, settings, seller, buyers);

  log('sustainable rate: open loop through the gateway, stepping up');
  const sustainable = await sustainableRate(
    { system, ticketLag, orderLag, seller, buyers },
    Math.max(10, Math.round(full.rps / 2)),
    settings.durationMs,
  );

  log(`direct order run on orders' port, ${orderConsumers.join(', ')} stopped meanwhile`);
  const direct = await ordersDirect(system, settings, seller, buyers, full.rps * 4);
  log(
    `direct: ${Math.round(direct.rps)} req/s over ${Math.round(direct.windowMs)} ms; after the restart ` +
      `${direct.created} orders created, ${direct.reserved} tickets reserved, ${direct.payable} in payments`,
  );

  log('floors of the order path: the bare placement, then with five bare consumers; 1,000 buyers at once');
  const floors = { proxy, orders: await orderFloor(system, settings, buyers, baseline.rps) };

  const flashSales: FlashSale[] = [];
  for (const [tickets, buyerCount] of [
    [1, 1000],
    [50, 1000],
  ] as const) {
    await waitQuiet(system);
    log(`flash sale: ${buyerCount} buyers, ${tickets} ticket(s)`);
    flashSales.push(await flashSale(system, seller, tickets, buyerCount));
  }
  await stop();
  return { services, propagationIdleMs, baseline, gateway, full, sustainable, direct, flashSales, floors };
}

async function searchAlone() {
  log('search and event-page queries of the tickets service');
  return searchRows(await searchFigures());
}

/**
 * `--only floor`: the baseline and the floors, with auth (the proxy floor's upstream) and
 * notifications (for its MailDev) running.
 */
async function floorsAlone(settings: LoadSettings) {
  log('starting auth and notifications');
  const system = await startSystem({ services: ['auth', 'notifications'] });
  const stop = owned('system', () => system.stop());
  killOnExit(() => [system.services.auth.process, system.services.notifications.process]);
  const buyers = mintUsers(system.keys, 256);
  log('baseline: closed loop, then 2,000 requests at once');
  const baseline = await baselineFigures(settings, ordersPoolSize, buyers, 2 * 1000);
  log('floor of the gateway: a bare node:http proxy');
  const proxy = await proxyFloor(system, settings);
  log('floors of the order path: the bare placement, then with five bare consumers; 1,000 buyers at once');
  const orders = await orderFloor(system, settings, buyers, baseline.rps);
  await stop();
  const cpu = cpuBreakdown(baseline.cpuMsPerRequest);
  return [
    {
      metric: 'Baseline: node:http + one INSERT (pool of 10)',
      value: `${Math.round(baseline.rps)} req/s, CPU ${cpu.totalMs.toFixed(2)} ms per request`,
      target: '–',
      pass: null,
    },
    ...floorRows({ proxy, orders }, baseline),
  ];
}

async function main(): Promise<void> {
  const settings: LoadSettings = {
    connections: 32,
    warmupMs: 2_000,
    durationMs: (Number(option('--seconds')) || 10) * 1000,
  };
  const only = option('--only');
  if (only !== undefined) {
    if (!parts.includes(only as (typeof parts)[number])) {
      throw new Error(`--only takes one of: ${parts.join(', ')}`);
    }
    let list;
    if (only === 'scale') {
      log('scale-out: one and two processes per service, failover, NATS sync');
      list = scaleRows(await scaleFigures(scaleSettings(settings)));
    } else if (only === 'floor') {
      list = await floorsAlone(settings);
    } else {
      list = await searchAlone();
    }
    console.log(`\n${consoleTable(list)}\n`);
    return;
  }
  const machine = machineInfo(root);
  const m = await measureSystem(settings);

  log('expiry lateness');
  const expiry = await expiryLateness();
  log('search and event-page queries of the tickets service');
  const search = await searchFigures();
  log('scale-out: one and two processes per service, failover, NATS sync');
  const scale = await scaleFigures(scaleSettings(settings));

  const { profiles, ...full } = m.full;
  const baselineCpu = cpuBreakdown(m.baseline.cpuMsPerRequest);
  const fullCpu = cpuBreakdown(full.cpuMsPerRequest);
  const figures: Figures = {
    machine,
    settings: { ...settings, poolSize: ordersPoolSize },
    baseline: m.baseline,
    direct: { ...m.direct, ratio: m.direct.rps / m.baseline.rps },
    full,
    cpuPerOrder: {
      full: fullCpu,
      direct: cpuBreakdown(m.direct.cpuMsPerRequest),
      baseline: baselineCpu,
      outside: cpuBreakdown(full.outsideCpuMsPerRequest),
      ratio: fullCpu.totalMs / baselineCpu.totalMs,
    },
    sustainable: { ...m.sustainable, ratio: m.sustainable.sustainableRps / m.baseline.rps },
    gateway: { ...m.gateway, ratio: m.gateway.gatewayCpuMs / baselineCpu.totalMs },
    flashSales: m.flashSales,
    propagationIdle: m.propagationIdleMs,
    expiry,
    search,
    scale,
    services: m.services,
    profiles,
    floors: m.floors,
  };
  const list = rows(figures);
  console.log(`\n${consoleTable(list)}\n`);
  console.log(`CPU profiles of the full order run (self time, % of each process's busy time):\n`);
  console.log(`${profileLines(figures.profiles)}\n`);
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
