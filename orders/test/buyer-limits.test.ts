import { randomUUID } from 'node:crypto';
import { waitFor, useHarness } from '@glotixz/common/testing';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { startOrdersHarness, type TestUser } from './orders-harness';

// The default hold cap (5); a short cool-down so the test can outwait it; placements unthrottled.
const h = useHarness(() => startOrdersHarness({ HOLD_COOLDOWN_SECONDS: '3', ORDER_RATE_MAX: '1000' }));

function place(buyer: TestUser, ticketId: string, app = h.app) {
  return request(app).post('/api/orders').set('authorization', buyer.authorization).send({ ticketId });
}

function cancel(buyer: TestUser, orderId: string) {
  return request(h.app)
    .post(`/api/orders/${orderId}/cancel`)
    .set('authorization', buyer.authorization)
    .expect(200);
}

async function tickets(count: number): Promise<string[]> {
  const listed = await Promise.all(Array.from({ length: count }, () => h.listTicket()));
  return listed.map((t) => t.id);
}

async function liveOrders(buyer: TestUser): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>(
    `select count(*)::int as n from orders where user_id = $1 and status = 'awaiting_payment'`,
    [buyer.id],
  );
  return rows[0]?.n ?? 0;
}

/** Another app on the same database, as a second replica of the service with its own settings. */
function replica(env: Partial<typeof h.config>) {
  return createApp({
    config: { ...h.config, ...env },
    db: h.db,
    logger: pino({ level: 'silent' }),
    natsReady: async () => {},
  }).app;
}

describe('the hold cap (MAX_HOLDS_PER_BUYER)', () => {
  it('lets one buyer firing 20 orders at once for 20 tickets hold exactly 5; the rest answer 409 HOLD_LIMIT_REACHED', async () => {
    expect(h.config.MAX_HOLDS_PER_BUYER).toBe(5);
    const buyer = h.user();
    const ids = await tickets(20);

    const results = await Promise.all(ids.map((id) => place(buyer, id)));

    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(15);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(r.body).toEqual({
        code: 'HOLD_LIMIT_REACHED',
        message: expect.any(String),
        details: { maxHolds: 5 },
      });
    }
    expect(await liveOrders(buyer)).toBe(5);
    await h.outboxDrained();
    const announced = (await h.events('order.created')).filter((e) => e.data.userId === buyer.id);
    expect(announced).toHaveLength(5);
  });

  it('frees a place when a hold is cancelled, expires or is paid, and never limits another buyer', async () => {
    const buyer = h.user();
    const ids = await tickets(9);
    const held: { id: string }[] = [];
    for (const id of ids.slice(0, 5)) held.push((await place(buyer, id).expect(201)).body as { id: string });
    await place(buyer, ids[5]!).expect(409);
    await place(h.user(), ids[5]!).expect(201);

    await cancel(buyer, held[0]!.id);
    await place(buyer, ids[6]!).expect(201);

    await h.publish('expiration.completed', { orderId: held[1]!.id });
    await waitFor(async () => (await h.orderRow(held[1]!.id))?.status === 'cancelled', 5_000, 'expired');
    await place(buyer, ids[7]!).expect(201);

    const ticket = (await h.orderRow(held[2]!.id))!;
    await h.publish('payment.succeeded', {
      id: randomUUID(),
      orderId: held[2]!.id,
      stripePaymentIntentId: `pi_${randomUUID().replaceAll('-', '')}`,
      amount: Number(ticket.price),
      currency: ticket.currency,
    });
    await waitFor(async () => (await h.orderRow(held[2]!.id))?.status === 'complete', 5_000, 'paid');
    await place(buyer, ids[8]!).expect(201);
    expect(await liveOrders(buyer)).toBe(5);
  });
});

describe('the cool-down (HOLD_COOLDOWN_SECONDS)', () => {
  it('answers 409 HOLD_COOLDOWN with Retry-After to a buyer re-holding a ticket they cancelled, and lets others hold it', async () => {
    const buyer = h.user();
    const [ticketId] = await tickets(1);
    const first = (await place(buyer, ticketId!).expect(201)).body as { id: string };
    await cancel(buyer, first.id);

    const again = await place(buyer, ticketId!).expect(409);

    expect(again.body).toEqual({
      code: 'HOLD_COOLDOWN',
      message: expect.any(String),
      details: { retryAfterSeconds: expect.any(Number) },
    });
    const retryAfter = Number(again.headers['retry-after']);
    expect(retryAfter).toBe(again.body.details.retryAfterSeconds);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3);
    const other = h.user();
    const taken = (await place(other, ticketId!).expect(201)).body as { id: string };

    // Once the other buyer lets go and the cool-down has passed, the first buyer may hold it again.
    await cancel(other, taken.id);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    await place(buyer, ticketId!).expect(201);
  });

  it('applies after an expiry too, and only to that ticket', async () => {
    const buyer = h.user();
    const [ticketId, otherTicket] = await tickets(2);
    const order = (await place(buyer, ticketId!).expect(201)).body as { id: string };
    await h.publish('expiration.completed', { orderId: order.id });
    await waitFor(async () => (await h.orderRow(order.id))?.status === 'cancelled', 5_000, 'expired');

    expect((await place(buyer, ticketId!).expect(409)).body.code).toBe('HOLD_COOLDOWN');
    await place(buyer, otherTicket!).expect(201);
  });

  it('refuses the re-hold while the cancellation races it: never a hold inside the cool-down', async () => {
    for (let round = 0; round < 10; round += 1) {
      const buyer = h.user();
      const [ticketId] = await tickets(1);
      const order = (await place(buyer, ticketId!).expect(201)).body as { id: string };

      const [, again] = await Promise.all([cancel(buyer, order.id), place(buyer, ticketId!)]);

      expect(again.status).toBe(409);
      expect(['TICKET_RESERVED', 'HOLD_COOLDOWN']).toContain(again.body.code);
    }
  });
});

describe('the placement rate (ORDER_RATE_MAX per ORDER_RATE_WINDOW_SECONDS)', () => {
  it('counts a buyer across replicas: past the budget 429 RATE_LIMITED with Retry-After; others and signed-out requests are not counted', async () => {
    const limits = { ORDER_RATE_MAX: 3, ORDER_RATE_WINDOW_SECONDS: 2, MAX_HOLDS_PER_BUYER: 100 };
    const [a, b] = [replica(limits), replica(limits)];
    const buyer = h.user();
    const ids = await tickets(6);
    for (let i = 0; i < 5; i += 1)
      await request(a).post('/api/orders').send({ ticketId: ids[0] }).expect(401);

    await place(buyer, ids[0]!, a).expect(201);
    await place(buyer, ids[1]!, b).expect(201);
    await place(buyer, ids[2]!, a).expect(201);
    const limited = await place(buyer, ids[3]!, b).expect(429);

    expect(limited.body).toEqual({
      code: 'RATE_LIMITED',
      message: expect.any(String),
      details: { retryAfterSeconds: expect.any(Number) },
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(2);
    const { rows } = await h.pool.query('select 1 from orders where ticket_id = $1', [ids[3]]);
    expect(rows).toEqual([]);
    await place(h.user(), ids[3]!, b).expect(201);

    await new Promise((resolve) => setTimeout(resolve, Number(limited.headers['retry-after']) * 1000 + 100));
    await place(buyer, ids[4]!, a).expect(201);
  });
});
