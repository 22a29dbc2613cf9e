import { createTestUser, sleep, waitFor, type TestUser } from '@glotixz/common/testing';
import { streamFor, orderCreatedSubject } from '@glotixz/common/events';
import { startNatsCluster, type NatsCluster } from '../support/servers';
import { expectInvariants } from '../support/invariants';
import { startSystem, type ServiceName, type System } from '../support/system';
import {
  count,
  expectSettled,
  handled,
  inBatches,
  listTickets,
  payCopiedOrders,
  query,
  throughGateway,
  waitForReplica,
} from './support';

const ORDERS = 300;
const PAID = 20;
const WINDOW_SECONDS = 45;
const PARTITION_MS = 10_000;
const services: ServiceName[] = ['auth', 'tickets', 'orders', 'payments', 'expiration', 'notifications'];

/**
 * Scale-out in one run: two processes of every service behind the gateway, on a
 * three-server JetStream cluster whose streams have three replicas. While 300 buyers order, one
 * process of each service is killed (SIGKILL) and then the leader of the orders stream; both come
 * back; then one NATS server is cut off from the others for 10 s. Afterwards nothing is lost or
 * applied twice, every order is paid or expired in time (I5), each paid ticket scanned at three
 * doors at once is admitted once (I9), and the invariants hold.
 */
describe('scale-out: two replicas of every service on a three-server NATS cluster, under faults', () => {
  let cluster: NatsCluster | undefined;
  let system: System | undefined;

  beforeAll(async () => {
    cluster = await startNatsCluster();
    system = await startSystem({
      services,
      replicas: Object.fromEntries(services.map((name) => [name, 2])),
      gateway: true,
      natsUrl: cluster.url,
      env: {
        orders: {
          EXPIRATION_WINDOW_SECONDS: String(WINDOW_SECONDS),
          SWEEP_INTERVAL_SECONDS: '5',
          SWEEP_GRACE_SECONDS: '4',
        },
      },
    });
  }, 120_000);
  afterAll(async () => {
    for (const server of cluster?.servers ?? []) await server.start().catch(() => undefined);
    try {
      await system?.stop();
    } finally {
      await cluster?.dispose();
    }
  });

  it('loses nothing, applies nothing twice and settles every order', async () => {
    const sys = system as System;
    const c = cluster as NatsCluster;
    const { seller, ticketIds } = await listTickets(sys, ORDERS);
    await waitForReplica(sys, ticketIds, 60_000);
    const buyers = ticketIds.map(() => createTestUser(sys.keys));

    let answered = 0;
    let faults: Promise<void> | undefined;
    const killLeader = async () => {
      const info = await sys.bus.jsm.streams.info(sys.bus.streamName(streamFor(orderCreatedSubject)));
      const leader = c.names.indexOf(info.cluster?.leader ?? '');
      if (leader < 0) throw new Error('the orders stream has no leader');
      await c.servers[leader]!.kill();
      await sleep(2_000);
      await c.servers[leader]!.start();
    };
    const placed = await inBatches(
      ticketIds.map((ticketId, i) => ({ ticketId, buyer: buyers[i] as TestUser })),
      30,
      async ({ ticketId, buyer }) => {
        const res = await throughGateway(sys, 'POST', '/api/orders', {
          token: buyer.token,
          body: { ticketId },
        });
        answered += 1;
        if (answered === ORDERS / 4) {
          faults = (async () => {
            await Promise.all(services.map((name) => sys.replicas[name][1]!.kill()));
            await killLeader();
          })();
        }
        return { buyer, res };
      },
    );
    await faults;
    const answers = placed.map(({ res }) => (res === 'error' ? 'error' : res.status));
    expect(answers.filter((a) => a !== 201 && a !== 409)).toEqual([]);
    const orders = await count(sys.databases.orders, 'select count(*)::int as n from orders');
    expect(orders).toBeLessThanOrEqual(ORDERS);
    expect(orders).toBeGreaterThan(ORDERS - 40);

    const paid = await payCopiedOrders(sys, placed, PAID);
    expect(paid).toEqual(Array<number>(PAID).fill(201));
    await Promise.all(services.map((name) => sys.replicas[name][1]!.restart()));

    // One server cut off from the other two; the services connected to it keep their events in
    // their outboxes, or reach the others, until the partition heals.
    c.partition(1);
    await sleep(PARTITION_MS);
    c.heal(1);

    for (const [db, consumer] of [
      [sys.databases.payments, 'payments-order-created'],
      [sys.databases.tickets, 'tickets-order-created'],
    ] as const) {
      await waitFor(
        async () => (await handled(db, consumer)) === orders,
        60_000,
        `${consumer} to see every order`,
      );
    }
    await expectSettled(sys, { orders, paid: PAID, timeoutMs: (WINDOW_SECONDS + 60) * 1000 });

    // I9 with two tickets processes: every paid ticket's code, scanned at three doors at once
    // (the gateway spreads them over both), admits it once.
    const buyerOf = new Map(
      placed.flatMap(({ buyer, res }) =>
        res !== 'error' && res.status === 201 ? [[res.body.id as string, buyer]] : [],
      ),
    );
    const complete = await query<{ id: string }>(
      sys.databases.orders,
      "select id from orders where status = 'complete'",
    );
    expect(complete).toHaveLength(PAID);
    const scans = await Promise.all(
      complete.map(async ({ id }) => {
        const eticket = await throughGateway(sys, 'GET', `/api/orders/${id}/eticket`, {
          token: buyerOf.get(id)!.token,
        });
        if (eticket === 'error' || eticket.status !== 200)
          return [`e-ticket ${id}: ${JSON.stringify(eticket)}`];
        const body = {
          code: eticket.body.code as string,
          eventId: (eticket.body.event as { id: string }).id,
        };
        const doors = await Promise.all(
          [1, 2, 3].map(() => throughGateway(sys, 'POST', '/api/checkins', { token: seller.token, body })),
        );
        return doors
          .map((d) => (d === 'error' ? 'error' : `${d.status} ${(d.body.result ?? d.body.code) as string}`))
          .sort();
      }),
    );
    expect(scans).toEqual(
      Array.from({ length: PAID }, () => ['200 admitted', '409 ALREADY_ADMITTED', '409 ALREADY_ADMITTED']),
    );
    await expectInvariants(sys);
    // Every order.created is in the stream once, on every replica.
    const info = await sys.bus.jsm.streams.info(sys.bus.streamName(streamFor(orderCreatedSubject)));
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas?.every((r) => r.current)).toBe(true);
  }, 300_000);
});
