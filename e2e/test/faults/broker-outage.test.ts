import { createTestUser, sleep, waitFor } from '@glotixz/common/testing';
import { expectInvariants } from '../support/invariants';
import { startNats, type PrivateServer } from '../support/servers';
import { startSystem, type System } from '../support/system';
import {
  count,
  handled,
  lateCancellations,
  listTickets,
  orderStatuses,
  pay,
  placeOrder,
  reconnected,
  waitForReplica,
} from './support';

const ORDERS = 200;
const PAID = 5;
const OUTAGE_MS = 10_000;
const WINDOW_SECONDS = 25;

/**
 * NATS goes away for 10 s while 200 buyers place orders. Orders are written with their events in
 * the outbox (I1), so buyers never notice; once NATS is back every event is delivered, every order
 * is paid or expires in time (I5), and the services agree.
 */
describe('a NATS outage in the middle of 200 orders', () => {
  let nats: PrivateServer | undefined;
  let system: System | undefined;

  beforeAll(async () => {
    nats = await startNats();
    system = await startSystem({
      services: ['tickets', 'orders', 'payments', 'expiration'],
      natsUrl: nats.url,
      env: {
        orders: {
          EXPIRATION_WINDOW_SECONDS: String(WINDOW_SECONDS),
          SWEEP_INTERVAL_SECONDS: '5',
          SWEEP_GRACE_SECONDS: '4',
        },
      },
    });
  });
  afterAll(async () => {
    // The server must be up for the system to drain and delete its streams.
    await nats?.start().catch(() => undefined);
    try {
      await system?.stop();
    } finally {
      await nats?.dispose();
    }
  });

  it('answers every order with 201, delivers every event after the outage and settles every order', async () => {
    const sys = system as System;
    const server = nats as PrivateServer;
    const { ticketIds } = await listTickets(sys, ORDERS);
    await waitForReplica(sys, ticketIds);
    const buyers = ticketIds.map(() => createTestUser(sys.keys));

    let answered = 0;
    let outage: Promise<void> | undefined;
    const responses = await Promise.all(
      ticketIds.map(async (ticketId, i) => {
        const res = await placeOrder(sys, buyers[i]!, ticketId);
        answered += 1;
        // The broker goes down with a quarter of the orders answered and the rest in flight.
        if (answered === ORDERS / 4) outage = server.stop();
        return res;
      }),
    );
    await outage;
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    expect(server.running).toBe(false);
    const orderIds = responses.map((r) => r.body.id as string);

    // Orders keeps answering while the broker is away.
    const during = await placeOrder(sys, createTestUser(sys.keys), ticketIds[0]!);
    expect(during.status).toBe(409);
    await sleep(OUTAGE_MS);
    await server.start();
    await reconnected(sys.bus);
    // The relay retries as soon as the broker is back, not when its backoff runs out.
    await waitFor(
      async () => (await count(sys.databases.orders, 'select count(*)::int as n from outbox')) === 0,
      // Each client reconnects within about 2 s of the server's return; then the drain takes well
      // under a second. Waiting out the backoff and the PubAck timeout instead took 6 s or more.
      4_000,
      "orders' outbox to drain once NATS is back",
    );

    // Every order.created reaches each of its consumers exactly once.
    await waitFor(
      async () => (await handled(sys.databases.payments, 'payments-order-created')) === ORDERS,
      30_000,
      'payments to copy every order',
    );
    // Some buyers pay: payment.succeeded and order.completed flow over the restored broker.
    const paid = await Promise.all(
      orderIds.slice(0, PAID).map((orderId, i) => pay(sys, buyers[i]!, orderId)),
    );
    expect(paid.map((p) => p.status)).toEqual(Array<number>(PAID).fill(201));

    await waitFor(
      async () => (await handled(sys.databases.tickets, 'tickets-order-created')) === ORDERS,
      30_000,
      'tickets to reserve every ticket',
    );
    const scheduled = await Promise.all(
      orderIds.map((id) => sys.redis.exists(`${sys.queuePrefix}:order-expiration:${id}`)),
    );
    expect(scheduled.filter((n) => n === 1)).toHaveLength(ORDERS);

    const lastExpiry = Math.max(...responses.map((r) => Date.parse(r.body.expiresAt as string)));
    await waitFor(
      async () => {
        const byStatus = await orderStatuses(sys);
        return byStatus.complete === PAID && byStatus.cancelled === ORDERS - PAID;
      },
      Math.max(lastExpiry + 30_000 - Date.now(), 1_000),
      'every order to be paid or expired',
    );
    expect(await lateCancellations(sys)).toBe(0);
    await expectInvariants(sys, { timeoutMs: 30_000 });
    // Freed tickets were reserved once and released once; sold ones reserved once and sold once.
    expect(
      await count(sys.databases.tickets, 'select count(*)::int as n from tickets where version <> 2'),
    ).toBe(0);
  }, 120_000);
});
