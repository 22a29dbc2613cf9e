import { createTestUser, sleep, waitFor, type TestUser } from '@glotixz/common/testing';
import { api, type JsonResponse } from '../support/api';
import { queryRows as query } from '../support/db';
import { expectInvariants } from '../support/invariants';
import { startSystem, type ServiceName, type System } from '../support/system';
import {
  count,
  handled,
  inBatches,
  lateCancellations,
  listTickets,
  orderStatuses,
  waitForReplica,
} from './support';

const ORDERS = 150;
const PAID = 15;
const WINDOW_SECONDS = 30;
const replicated: ServiceName[] = ['auth', 'tickets', 'orders', 'payments', 'expiration', 'notifications'];

/**
 * An answer of the gateway, or `error` when the connection broke before one came. A request cut
 * off with its replica (or sent to it in the instant before the gateway noticed) answers 502 and
 * is tried again, as a buyer's browser would; an order that was placed before its replica died
 * then answers 409, the ticket being reserved by it.
 */
async function throughGateway(
  sys: System,
  method: string,
  path: string,
  options: { token: string; body: unknown },
): Promise<JsonResponse | 'error'> {
  let answer: JsonResponse | 'error' = 'error';
  for (let attempt = 0; attempt < 4; attempt += 1) {
    if (attempt > 0) await sleep(200);
    answer = await api(sys.gateway!.url, method, path, options).catch(() => 'error' as const);
    if (answer !== 'error' && answer.status !== 502) return answer;
  }
  return answer;
}

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

    // Buyers pay for orders payments has copied: the events the killed process had taken wait out
    // its ack wait (30 s) before JetStream hands them to the other one.
    const placedOrders = placed.flatMap(({ buyer, res }) =>
      res !== 'error' && res.status === 201 ? [{ buyer, orderId: res.body.id as string }] : [],
    );
    const copied = async () =>
      new Set(
        (
          await query<{ id: string }>(
            sys.databases.payments,
            'select id from orders where id = any($1::uuid[])',
            [placedOrders.map((o) => o.orderId)],
          )
        ).map((r) => r.id),
      );
    const payable = await waitFor(
      async () => {
        const ids = await copied();
        const ready = placedOrders.filter((o) => ids.has(o.orderId));
        return ready.length >= PAID && ready;
      },
      20_000,
      'payments to copy orders to pay',
    );
    const paid = await Promise.all(
      payable.slice(0, PAID).map(({ buyer, orderId }) =>
        throughGateway(sys, 'POST', '/api/payments', {
          token: buyer.token,
          body: { orderId, paymentMethodId: 'pm_card_visa' },
        }),
      ),
    );
    expect(paid.map((p) => (p === 'error' ? p : p.status))).toEqual(Array<number>(PAID).fill(201));
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
    await waitFor(
      async () => {
        const byStatus = await orderStatuses(sys);
        return byStatus.complete === PAID && byStatus.cancelled === orders - PAID;
      },
      (WINDOW_SECONDS + 40) * 1000,
      'every order to be paid or expired',
    );
    expect(await lateCancellations(sys)).toBe(0);
    await expectInvariants(sys, { timeoutMs: 30_000 });
    // One expiry per order (a paid one's is a no-op), however many expiration processes raced for the jobs.
    await waitFor(
      async () => (await handled(sys.databases.orders, 'orders-expiration-completed')) >= orders,
      15_000,
      'every expiry to fire',
    );
    expect(await handled(sys.databases.orders, 'orders-expiration-completed')).toBe(orders);
    expect(
      await count(sys.databases.tickets, 'select count(*)::int as n from tickets where version > 2'),
    ).toBe(0);
  }, 150_000);
});
