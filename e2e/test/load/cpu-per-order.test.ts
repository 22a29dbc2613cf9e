import { sleep, waitFor, type TestUser } from '@glotixz/common/testing';
import { startBaseline, type BaselineServer } from '../../bench/baseline';
import { cpuSnapshot, cpuUsed, postgresBackends, type ProcessGroups } from '../../bench/cpu';
import { createTickets, mintKnownUsers, postJson, waitReplicated } from '../../bench/fixtures';
import { runLoad, type LoadRequest } from '../../bench/load';
import { waitQuiet } from '../../bench/system-figures';
import { countRows } from '../support/db';
import { startSystem, unlimitedOrders, type System } from '../support/system';

/**
 * A regression check of what an order costs, not a benchmark (that is `npm run bench`): a few
 * hundred orders through the gateway into the whole pipeline, and the CPU time every process of
 * the system spent from the first order until every event was handled and mailed (services, gateway, their
 * Postgres backends; not this process, nor the shared NATS server, whose other tenants would
 * count too), per order. The yardstick is measured here too, on the same busy machine: the bench's
 * baseline server (node:http + one INSERT) under the same closed loop. CPU time, unlike wall
 * time, barely moves with how busy the cores are, so the bound can stay tight enough to catch an
 * order that became twice as expensive.
 */
describe('CPU per order across the pipeline', () => {
  /** Orders measured, after as many again to warm every process up. */
  const ORDERS = 100;
  const CONNECTIONS = 16;
  /**
   * CPU per order ≤ this × the baseline request's: about twice what it was on 2026-12-03 before
   * the performance work (30–40 ms per order, 50–90× the baseline at these 16 connections on a
   * crowded machine). Lower it as orders get cheaper; the bench's target is 6×.
   */
  const BOUND = 150;
  /** How long the system's idle CPU is measured, to take it out of the orders' window. */
  const IDLE_MS = 2_000;

  let system: System;
  let baseline: BaselineServer;
  let buyers: TestUser[];
  let seller: TestUser;

  beforeAll(async () => {
    system = await startSystem({
      services: ['tickets', 'orders', 'payments', 'expiration', 'notifications'],
      orderLimits: unlimitedOrders,
      gateway: true,
    });
    [seller] = (await mintKnownUsers(system, 1)) as [TestUser];
    buyers = await mintKnownUsers(system, 32);
    baseline = await startBaseline(10);
  }, 60_000);
  afterAll(async () => {
    await baseline?.stop();
    await system?.stop();
  });

  /** Closed loop on `url` until `requests` run out; answers the statuses. */
  async function closedLoop(url: string, requests: LoadRequest[]): Promise<Record<string, number>> {
    const result = await runLoad({
      url,
      connections: CONNECTIONS,
      warmupMs: 0,
      durationMs: 60_000,
      request: (n) => requests[n],
    });
    return result.statuses;
  }

  /**
   * CPU ms of `groups` while `work` runs, summed over every group; the groups are resolved before
   * and after, so Postgres backends a pool opened meanwhile count too.
   */
  async function cpuMsOf(groups: () => Promise<ProcessGroups>, work: () => Promise<void>): Promise<number> {
    const watched = await groups();
    const before = cpuSnapshot(watched);
    await work();
    const after = await groups();
    for (const [label, pids] of Object.entries(watched))
      after[label] = [...new Set([...pids, ...(after[label] ?? [])])];
    return Object.values(cpuUsed(before, cpuSnapshot(after))).reduce((sum, ms) => sum + ms, 0);
  }

  /** Lists `count` tickets and waits until orders' replica has them and the system is quiet. */
  async function listTickets(count: number): Promise<string[]> {
    const ids = await createTickets(system.services.tickets.url, seller, count, 8);
    await waitReplicated(system.databases.orders ?? '', ids);
    await waitQuiet(system);
    return ids;
  }

  /** Orders each of `ids` through the gateway and waits until every event was handled and mailed. */
  async function order(ids: string[]): Promise<void> {
    const requests = ids.map((ticketId, n) =>
      postJson('/api/orders', buyers[n % buyers.length] as TestUser, { ticketId }),
    );
    expect(await closedLoop(system.gateway?.url ?? '', requests)).toEqual({ [201]: ids.length });
    await waitQuiet(system, 30_000, 20);
    await waitFor(
      async () => (await countRows(system.databases.notifications, 'emails', `status = 'pending'`)) === 0,
      30_000,
      'notifications to send every email',
    );
  }

  async function systemGroups(): Promise<ProcessGroups> {
    const groups: ProcessGroups = { postgres: await postgresBackends(Object.values(system.databases)) };
    for (const s of [system.gateway, ...Object.values(system.services)]) {
      if (s?.process.pid !== undefined) groups[s.name] = [s.process.pid];
    }
    return groups;
  }

  /** `count` baseline requests, twice: CPU ms per request of the second time (its pool connected). */
  async function baselineRequestMs(count: number): Promise<number> {
    const requests = Array.from({ length: count }, (_, n) =>
      postJson('/api/orders', buyers[n % buyers.length] as TestUser, { ticketId: crypto.randomUUID() }),
    );
    expect(await closedLoop(baseline.url, requests)).toEqual({ [201]: count });
    const cpuMs = await cpuMsOf(
      async () => ({
        server: baseline.pid === undefined ? [] : [baseline.pid],
        postgres: await postgresBackends([baseline.databaseUrl]),
      }),
      async () => {
        expect(await closedLoop(baseline.url, requests)).toEqual({ [201]: count });
      },
    );
    return cpuMs / count;
  }

  it(`spends at most ${BOUND}× the baseline request's CPU per order, every order reaching tickets`, async () => {
    const ids = await listTickets(2 * ORDERS);
    const [warmUp, measured] = [ids.slice(0, ORDERS), ids.slice(ORDERS)];
    await order(warmUp);
    // Background loops (relays' polls, the sweeper, the email sender) run whether or not orders
    // come; a slower run would count more of them.
    const idleMsPerMs = (await cpuMsOf(systemGroups, () => sleep(IDLE_MS))) / IDLE_MS;
    const started = performance.now();
    const windowCpuMs = await cpuMsOf(systemGroups, () => order(measured));
    const perOrderMs = (windowCpuMs - idleMsPerMs * (performance.now() - started)) / ORDERS;
    const baselineMs = await baselineRequestMs(3 * ORDERS);

    expect(
      await countRows(system.databases.tickets, 'tickets', `id = any($1) and status = 'reserved'`, [ids]),
    ).toBe(2 * ORDERS);
    const ratio = perOrderMs / baselineMs;
    console.log(
      `CPU per order ${perOrderMs.toFixed(2)} ms (idle ${idleMsPerMs.toFixed(3)} ms/ms taken out), per baseline request ${baselineMs.toFixed(3)} ms: ${ratio.toFixed(1)}×`,
    );
    expect(ratio).toBeLessThanOrEqual(BOUND);
  }, 60_000);
});
