import { createTestUser, waitFor } from '@glotixz/common/testing';
import { expectInvariants } from '../support/invariants';
import { startRedis, type PrivateServer } from '../support/servers';
import { startSystem, type System } from '../support/system';
import { count, handled, lateCancellations, listTickets, placeOrder, waitForReplica } from './support';

const WINDOW_SECONDS = 6;
const BATCH = 20;

/** Places one order per ticket, each by a new buyer; answers the order ids and the last expiry. */
async function orderAll(system: System, ticketIds: string[]): Promise<{ ids: string[]; lastExpiry: number }> {
  const placed = await Promise.all(
    ticketIds.map((id) => placeOrder(system, createTestUser(system.keys), id)),
  );
  expect(placed.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
  return {
    ids: placed.map((r) => r.body.id as string),
    lastExpiry: Math.max(...placed.map((r) => Date.parse(r.body.expiresAt as string))),
  };
}

/** How many of the orders have their expiry job in Redis (false while Redis is down). */
async function scheduled(system: System, orderIds: string[]): Promise<number | false> {
  try {
    const found = await Promise.all(
      orderIds.map((id) => system.redis.exists(`${system.queuePrefix}:order-expiration:${id}`)),
    );
    return found.filter((n) => n === 1).length;
  } catch {
    return false;
  }
}

async function allScheduled(system: System, orderIds: string[]): Promise<void> {
  await waitFor(
    async () => (await scheduled(system, orderIds)) === orderIds.length,
    20_000,
    'the expiry jobs to be in Redis',
  );
}

async function cancelledCount(system: System, orderIds: string[]): Promise<number> {
  return count(
    system.databases.orders,
    "select count(*)::int as n from orders where status = 'cancelled' and id = any($1::uuid[])",
    [orderIds],
  );
}

function expiredStored(system: System): Promise<number> {
  return system.bus.jsm.streams.info(system.bus.streamName('EXPIRATION')).then((info) => info.state.messages);
}

/**
 * Redis, where the expiration service keeps one delayed job per order, restarts while orders wait
 * to expire. A durable Redis (AOF) keeps the jobs and they fire on time; a Redis that lost its data
 * leaves the orders to the orders sweeper. Either way every unpaid order expires within
 * `expiresAt` + 30 s (I5), once.
 */
describe('a durable Redis restarting and crashing during the expiry window', () => {
  const graceSeconds = 10;
  let redis: PrivateServer | undefined;
  let system: System | undefined;

  beforeAll(async () => {
    redis = await startRedis({ persistence: 'aof' });
    system = await startSystem({
      services: ['tickets', 'orders', 'expiration'],
      redisUrl: redis.url,
      // The sweeper may only step in 10 s after expiry: anything earlier is the expiration service.
      env: {
        orders: {
          EXPIRATION_WINDOW_SECONDS: String(WINDOW_SECONDS),
          SWEEP_INTERVAL_SECONDS: '5',
          SWEEP_GRACE_SECONDS: String(graceSeconds),
        },
      },
    });
  });
  afterAll(async () => {
    await redis?.start().catch(() => undefined);
    try {
      await system?.stop();
    } finally {
      await redis?.dispose();
    }
  });

  it('fires every kept job on time after a restart and after a crash', async () => {
    const sys = system as System;
    const server = redis as PrivateServer;
    const { ticketIds } = await listTickets(sys, 2 * BATCH);
    await waitForReplica(sys, ticketIds);

    const first = await orderAll(sys, ticketIds.slice(0, BATCH));
    await allScheduled(sys, first.ids);
    await server.restart();
    const second = await orderAll(sys, ticketIds.slice(BATCH));
    await allScheduled(sys, second.ids);
    await server.kill();
    await server.start();

    const ids = [...first.ids, ...second.ids];
    await waitFor(
      async () => (await cancelledCount(sys, ids)) === ids.length,
      Math.max(second.lastExpiry + 30_000 - Date.now(), 1_000),
      'every order to expire',
    );
    // Before the sweeper's grace ran out: each was expired by its job, not swept.
    expect(
      await count(
        sys.databases.orders,
        `select count(*)::int as n from orders
          where status = 'cancelled' and updated_at > expires_at + make_interval(secs => $1)`,
        [graceSeconds],
      ),
    ).toBe(0);
    await expectInvariants(sys);
    // One expiration.completed per order, handled once, one cancellation each.
    expect(await expiredStored(sys)).toBe(ids.length);
    expect(await handled(sys.databases.orders, 'orders-expiration-completed')).toBe(ids.length);
    expect(
      await count(sys.databases.orders, 'select count(*)::int as n from orders where version <> 1'),
    ).toBe(0);
    expect(
      await count(sys.databases.tickets, 'select count(*)::int as n from tickets where version <> 2'),
    ).toBe(0);
  }, 90_000);
});

describe('a Redis that loses its data restarting during the expiry window', () => {
  let redis: PrivateServer | undefined;
  let system: System | undefined;

  beforeAll(async () => {
    redis = await startRedis({ persistence: 'none' });
    system = await startSystem({
      services: ['tickets', 'orders', 'expiration'],
      redisUrl: redis.url,
      env: {
        orders: {
          EXPIRATION_WINDOW_SECONDS: String(WINDOW_SECONDS),
          SWEEP_INTERVAL_SECONDS: '2',
          SWEEP_GRACE_SECONDS: '3',
        },
      },
    });
  });
  afterAll(async () => {
    await redis?.start().catch(() => undefined);
    try {
      await system?.stop();
    } finally {
      await redis?.dispose();
    }
  });

  it('has the sweeper expire the orders whose jobs were lost, and schedules new ones again', async () => {
    const sys = system as System;
    const server = redis as PrivateServer;
    const { ticketIds } = await listTickets(sys, BATCH + 1);
    await waitForReplica(sys, ticketIds);

    const lost = await orderAll(sys, ticketIds.slice(0, BATCH));
    await allScheduled(sys, lost.ids);
    await server.restart();
    await waitFor(async () => (await scheduled(sys, lost.ids)) === 0, 10_000, 'Redis to come back empty');

    // The expiration service is back on the empty Redis: a new order gets its job.
    const later = await orderAll(sys, ticketIds.slice(BATCH));
    await allScheduled(sys, later.ids);

    const ids = [...lost.ids, ...later.ids];
    await waitFor(
      async () => (await cancelledCount(sys, ids)) === ids.length,
      Math.max(later.lastExpiry + 30_000 - Date.now(), 1_000),
      'every order to expire',
    );
    expect(await lateCancellations(sys)).toBe(0);
    await expectInvariants(sys);
    // The lost jobs never fired; the new one did.
    expect(await expiredStored(sys)).toBe(later.ids.length);
    expect(
      await count(sys.databases.orders, 'select count(*)::int as n from orders where version <> 1'),
    ).toBe(0);
    expect(
      await count(sys.databases.tickets, 'select count(*)::int as n from tickets where version <> 2'),
    ).toBe(0);
  }, 90_000);
});
