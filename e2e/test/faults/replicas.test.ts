import { createTestUser, waitFor, type TestUser } from '@glotixz/common/testing';
import { startSystem, type ServiceName, type System } from '../support/system';
import {
  count,
  expectSettled,
  handled,
  inBatches,
  listTickets,
  payCopiedOrders,
  throughGateway,
  waitForReplica,
} from './support';

const ORDERS = 150;
const PAID = 15;
const WINDOW_SECONDS = 30;
const replicated: ServiceName[] = ['auth', 'tickets', 'orders', 'payments', 'expiration', 'notifications'];

/**
 * Two processes of every service behind the gateway, sharing each service's database and durable
 * consumers. Buyers order and pay through the gateway while one process of each service is killed
 * with SIGKILL (no shutdown hooks) and started again: every event is still applied once, every
 * unpaid order expires in time (I5) and the services agree (I1, I4, I6, I8, I10).
 */
describe('two replicas of every service, one of each killed mid-run', () => {
  let system: System | undefined;

  beforeAll(async () => {
    system = await startSystem({
      services: replicated,
      replicas: Object.fromEntries(replicated.map((name) => [name, 2])),
      gateway: true,
      env: {
        orders: {
          EXPIRATION_WINDOW_SECONDS: String(WINDOW_SECONDS),
          SWEEP_INTERVAL_SECONDS: '5',
          SWEEP_GRACE_SECONDS: '4',
        },
      },
    });
  });
  afterAll(() => system?.stop());

  it('loses nothing, applies nothing twice and settles every order', async () => {
    const sys = system as System;
    const { ticketIds } = await listTickets(sys, ORDERS);
    await waitForReplica(sys, ticketIds);
    const buyers = ticketIds.map(() => createTestUser(sys.keys));

    let answered = 0;
    let crash: Promise<void> | undefined;
    const placed = await inBatches(
      ticketIds.map((ticketId, i) => ({ ticketId, buyer: buyers[i] as TestUser })),
      30,
      async ({ ticketId, buyer }) => {
        const res = await throughGateway(sys, 'POST', '/api/orders', {
          token: buyer.token,
          body: { ticketId },
        });
        answered += 1;
        if (answered === ORDERS / 3) {
          crash = Promise.all(replicated.map((name) => sys.replicas[name][1]!.kill())).then(() => undefined);
        }
        return { buyer, res };
      },
    );
    await crash;
    const answers = placed.map(({ res }) => (res === 'error' ? 'error' : res.status));
    // A retry of an order that was placed before its replica died finds the ticket reserved.
    expect(answers.filter((a) => a !== 201 && a !== 409)).toEqual([]);
    expect(answers.filter((a) => a === 201).length).toBeGreaterThan(ORDERS - 30);
    const orders = await count(sys.databases.orders, 'select count(*)::int as n from orders');
    expect(orders).toBeLessThanOrEqual(ORDERS);

    const paid = await payCopiedOrders(sys, placed, PAID);
    expect(paid).toEqual(Array<number>(PAID).fill(201));
    // The killed processes come back and take their share again.
    await Promise.all(replicated.map((name) => sys.replicas[name][1]!.restart()));
    await waitFor(
      async () => (await handled(sys.databases.payments, 'payments-order-created')) === orders,
      45_000,
      'payments to copy every order',
    );

    // Each event reached each consuming service once, whichever of its processes took it.
    await waitFor(
      async () => (await handled(sys.databases.tickets, 'tickets-order-created')) === orders,
      30_000,
      'tickets to reserve every ticket',
    );
    await expectSettled(sys, { orders, paid: PAID, timeoutMs: (WINDOW_SECONDS + 40) * 1000 });
    expect(
      await count(sys.databases.tickets, 'select count(*)::int as n from tickets where version > 2'),
    ).toBe(0);
  }, 150_000);
});
