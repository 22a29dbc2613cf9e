import type { Bus } from '@glotixz/common/bus';
import { createTestUser, sleep, waitFor, type TestUser } from '@glotixz/common/testing';
import { api, listTicket, type JsonResponse } from '../support/api';
import { queryRows } from '../support/db';
import { expectInvariants } from '../support/invariants';
import type { System } from '../support/system';

/** Runs `sql` on one of the system's databases and answers the rows. */
export const query = queryRows;

/** Answers one number from a `select count(*)::int as n …`. */
export async function count(url: string | undefined, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await query<{ n: number }>(url, sql, params);
  return row?.n ?? 0;
}

/** How many events `consumer` has handled, by its inbox: each event counts once however often it came. */
export function handled(url: string | undefined, consumer: string): Promise<number> {
  return count(url, 'select count(*)::int as n from inbox where consumer = $1', [consumer]);
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function inBatches<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/** A seller with `n` tickets listed through the tickets API; answers the seller and the ticket ids. */
export async function listTickets(
  system: System,
  n: number,
  price = 1500,
): Promise<{ seller: TestUser; ticketIds: string[] }> {
  const seller = createTestUser(system.keys);
  const ticketIds = await inBatches(
    Array.from({ length: n }, (_, i) => i),
    20,
    async (i) => {
      const res = await listTicket(system.services.tickets.url, seller.token, {
        title: 'Fault drill',
        seat: String(i + 1),
        price,
        currency: 'usd',
      });
      if (res.status !== 201) throw new Error(`ticket ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    },
  );
  return { seller, ticketIds };
}

/** Waits until the orders replica holds every ticket, so orders can be placed for them. */
export async function waitForReplica(system: System, ticketIds: string[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    async () =>
      (await count(
        system.databases.orders,
        'select count(*)::int as n from tickets where id = any($1::uuid[])',
        [ticketIds],
      )) === ticketIds.length,
    timeoutMs,
    `the orders replica to hold ${ticketIds.length} tickets`,
  );
}

/** Places an order for the ticket as `buyer`; answers the response. */
export function placeOrder(system: System, buyer: TestUser, ticketId: string) {
  return api(system.services.orders.url, 'POST', '/api/orders', { token: buyer.token, body: { ticketId } });
}

/** Waits until `bus` is connected again after its server came back (a request sent before is lost). */
export async function reconnected(bus: Bus, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    () =>
      bus.nc.rtt().then(
        () => true,
        () => false,
      ),
    timeoutMs,
    'the bus to reconnect',
  );
}

/** Orders by status, from the orders database. */
export async function orderStatuses(system: System): Promise<Record<string, number>> {
  const rows = await query<{ status: string; n: number }>(
    system.databases.orders,
    'select status, count(*)::int as n from orders group by status',
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Orders cancelled later than `expiresAt` + 30 s (I5), from the orders database. */
export function lateCancellations(system: System): Promise<number> {
  return count(
    system.databases.orders,
    `select count(*)::int as n from orders
      where status = 'cancelled' and updated_at > expires_at + interval '30 seconds'`,
  );
}

/** Pays an order through payments and the Stripe sandbox with a test card that succeeds. */
export function pay(system: System, buyer: TestUser, orderId: string) {
  return api(system.services.payments.url, 'POST', '/api/payments', {
    token: buyer.token,
    body: { orderId, paymentMethodId: 'pm_card_visa' },
  });
}

/** A buyer's order for a new ticket, once payments has copied it: ready to pay. */
export async function payableOrder(sys: System): Promise<{ buyer: TestUser; orderId: string }> {
  const { ticketIds } = await listTickets(sys, 1);
  await waitForReplica(sys, ticketIds);
  const buyer = createTestUser(sys.keys);
  const placed = await placeOrder(sys, buyer, ticketIds[0]!);
  expect(placed.status).toBe(201);
  const orderId = placed.body.id as string;
  await waitFor(
    async () =>
      (await count(sys.databases.payments, 'select count(*)::int as n from orders where id = $1', [
        orderId,
      ])) === 1,
    20_000,
    'payments to copy the order',
  );
  return { buyer, orderId };
}

/**
 * The gateway's answer, or `error` when the connection broke before one came. A request cut off
 * with its replica (or sent to it in the instant before the gateway noticed) answers 502 and is
 * tried again, as a buyer's browser would; an order that was placed before its replica died then
 * answers 409, the ticket being reserved by it.
 */
export async function throughGateway(
  system: System,
  method: string,
  path: string,
  options: { token: string; body?: unknown },
): Promise<JsonResponse | 'error'> {
  let answer: JsonResponse | 'error' = 'error';
  for (let attempt = 0; attempt < 6; attempt += 1) {
    if (attempt > 0) await sleep(300);
    answer = await api(system.gateway!.url, method, path, options).catch(() => 'error' as const);
    if (answer !== 'error' && answer.status !== 502) return answer;
  }
  return answer;
}

/**
 * Pays `n` of the `placed` orders (201 answers) through the gateway with a test card, choosing
 * orders payments has already copied: the events a killed process had taken wait out their ack
 * wait (30 s) before JetStream hands them to another, and a consumer whose NATS server died pulls
 * again only once it has noticed; so this waits up to 90 s. Answers the payment answers.
 */
export async function payCopiedOrders(
  system: System,
  placed: { buyer: TestUser; res: JsonResponse | 'error' }[],
  n: number,
): Promise<(number | 'error')[]> {
  const orders = placed.flatMap(({ buyer, res }) =>
    res !== 'error' && res.status === 201 ? [{ buyer, orderId: res.body.id as string }] : [],
  );
  const payable = await waitFor(
    async () => {
      const rows = await query<{ id: string }>(
        system.databases.payments,
        'select id from orders where id = any($1::uuid[])',
        [orders.map((o) => o.orderId)],
      );
      const ids = new Set(rows.map((r) => r.id));
      const ready = orders.filter((o) => ids.has(o.orderId));
      return ready.length >= n && ready;
    },
    90_000,
    'payments to copy orders to pay',
  );
  const paid = await Promise.all(
    payable.slice(0, n).map(({ buyer, orderId }) =>
      throughGateway(system, 'POST', '/api/payments', {
        token: buyer.token,
        body: { orderId, paymentMethodId: 'pm_card_visa' },
      }),
    ),
  );
  return paid.map((p) => (p === 'error' ? p : p.status));
}

/**
 * Waits until each of the `orders` placed is paid (`paid` of them) or expired, within `timeoutMs`,
 * then checks that none was cancelled late (I5), the invariants hold, and every order's expiry job
 * fired exactly once (a paid order's is a no-op), however many expiration processes raced for them.
 */
export async function expectSettled(
  system: System,
  { orders, paid, timeoutMs }: { orders: number; paid: number; timeoutMs: number },
): Promise<void> {
  await waitFor(
    async () => {
      const byStatus = await orderStatuses(system);
      return byStatus.complete === paid && byStatus.cancelled === orders - paid;
    },
    timeoutMs,
    'every order to be paid or expired',
  );
  expect(await lateCancellations(system)).toBe(0);
  await expectInvariants(system, { timeoutMs: 60_000 });
  const expiries = () => handled(system.databases.orders, 'orders-expiration-completed');
  await waitFor(async () => (await expiries()) >= orders, 30_000, 'every expiry to fire');
  expect(await expiries()).toBe(orders);
}
