import { randomUUID } from 'node:crypto';
import { platformFee, stripeMaxAmount, type FeeSchedule } from '@glotixz/common/events';
import { useHarness, waitFor } from '@glotixz/common/testing';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { platformFeeSql } from '../src/orders/order-fees';
import { startOrdersHarness } from './orders-harness';

/** A schedule unlike the default, so the test proves `PLATFORM_FEE` is read. */
const schedule: FeeSchedule = {
  default: { percentBps: 500, fixed: 0 },
  currencies: { usd: { percentBps: 1000, fixed: 99 }, jpy: { percentBps: 800, fixed: 0 } },
};

const h = useHarness(() => startOrdersHarness({ PLATFORM_FEE: JSON.stringify(schedule) }));

async function completed(orderId: string) {
  return waitFor(
    async () => (await h.eventsFor('order.completed', orderId))[0],
    5_000,
    'order.completed on the stream',
  );
}

describe('the platform fee', () => {
  it('GET /api/orders/fees answers the configured schedule to anyone, cacheable', async () => {
    const res = await request(h.app).get('/api/orders/fees').expect(200);
    expect(res.body).toEqual({ schedule });
    expect(res.headers['cache-control']).toBe('public, max-age=60');
  });

  it('fixes fee and total with the price when the order is placed, and every view and event shows them (I8)', async () => {
    const eventId = randomUUID();
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const ticket = await h.listTicket({ title: 'Jazz', price: 2_505, currency: 'usd', eventId, startsAt });
    const buyer = h.user();
    const amounts = { price: 2_505, fee: 251 + 99, total: 2_855 };

    const placed = await request(h.app)
      .post('/api/orders')
      .set('authorization', buyer.authorization)
      .send({ ticketId: ticket.id })
      .expect(201);
    expect(placed.body.ticket).toEqual({ id: ticket.id, title: 'Jazz', currency: 'usd', ...amounts });
    expect(await h.orderRow(placed.body.id)).toMatchObject({ price: '2505', fee: '350', total: '2855' });

    const [created] = await waitFor(
      async () => {
        const found = await h.eventsFor('order.created', placed.body.id);
        return found.length > 0 && found;
      },
      5_000,
      'order.created on the stream',
    );
    expect(created?.data.ticket).toEqual({ id: ticket.id, title: 'Jazz', currency: 'usd', ...amounts });
    expect(created?.data.sellerId).toBe(ticket.userId);
    expect(created?.data.event).toEqual({ id: eventId, startsAt });

    // The seller's price edit reaches the replica: the order keeps its price, fee and total.
    await h.publish('ticket.updated', { ...ticket, price: 100, version: 1 });
    await waitFor(
      async () => (await h.ticketRow(ticket.id))?.version === 1,
      5_000,
      'the edit in the replica',
    );
    const shown = await request(h.app)
      .get(`/api/orders/${placed.body.id}`)
      .set('authorization', buyer.authorization)
      .expect(200);
    expect(shown.body.ticket).toMatchObject(amounts);
    const listed = await request(h.app).get('/api/orders').set('authorization', buyer.authorization);
    expect(listed.body.items[0].ticket).toMatchObject(amounts);

    await h.publish('payment.succeeded', {
      id: randomUUID(),
      orderId: placed.body.id,
      stripePaymentIntentId: `pi_${randomUUID().replaceAll('-', '')}`,
      amount: amounts.total,
      currency: 'usd',
    });
    const done = await completed(placed.body.id);
    expect(done.data.ticket).toEqual({ id: ticket.id, title: 'Jazz', currency: 'usd', ...amounts });
  });

  it('uses a currency’s own rate or the default, whole yen for jpy', async () => {
    const yen = await h.listTicket({ price: 1_234, currency: 'jpy' });
    const aud = await h.listTicket({ price: 1_010, currency: 'aud' });
    const buyer = h.user();
    expect((await h.placeOrder(buyer, yen.id)).ticket).toMatchObject({ price: 1_234, fee: 99, total: 1_333 });
    expect((await h.placeOrder(buyer, aud.id)).ticket).toMatchObject({ price: 1_010, fee: 51, total: 1_061 });
  });

  it('carries the seller but no event in order.created for a ticket listed before listings had events', async () => {
    const ticket = await h.listTicket({ price: 1_000, currency: 'usd' });
    const order = await h.placeOrder(h.user(), ticket.id);
    const [created] = await waitFor(
      async () => {
        const found = await h.eventsFor('order.created', order.id);
        return found.length > 0 && found;
      },
      5_000,
      'order.created on the stream',
    );
    expect(created?.data.sellerId).toBe(ticket.userId);
    expect(created?.data).not.toHaveProperty('event');
  });

  it('refuses with 422 ORDER_TOTAL_TOO_LARGE a ticket whose price plus fee is more than Stripe charges, writing nothing', async () => {
    // 10 % + 99 on 90,909,001 is 9,090,999: total 100,000,000.
    const ticket = await h.listTicket({ price: 90_909_001, currency: 'usd' });
    const before = await h.count('orders');
    const res = await request(h.app)
      .post('/api/orders')
      .set('authorization', h.user().authorization)
      .send({ ticketId: ticket.id })
      .expect(422);
    expect(res.body).toMatchObject({
      code: 'ORDER_TOTAL_TOO_LARGE',
      details: { total: 100_000_000, currency: 'usd', maxTotal: stripeMaxAmount },
    });
    expect(await h.count('orders')).toBe(before);

    // One minor unit less is still accepted: 90,909,000 + 9,090,999 = 99,999,999.
    const fits = await h.listTicket({ price: 90_909_000, currency: 'usd' });
    expect((await h.placeOrder(h.user(), fits.id)).ticket).toMatchObject({ total: stripeMaxAmount });
  });

  it('computes in SQL exactly what platformFee computes', async () => {
    const schedules: FeeSchedule[] = [
      schedule,
      { default: { percentBps: 1000, fixed: 0 }, currencies: { huf: { percentBps: 333, fixed: 7 } } },
      { default: { percentBps: 10_000, fixed: 123 } },
      { default: { percentBps: 0, fixed: 0 } },
    ];
    const prices = [0, 1, 5, 19, 20, 49, 50, 99, 1_234, 2_505, 17_500, 20_005, 99_999_999, 123_456_789_012];
    const currencies = ['usd', 'jpy', 'huf', 'twd', 'eur', 'aud'];
    for (const s of schedules) {
      for (const currency of currencies) {
        const fees = await h.db.execute<{ price: string; fee: string }>(sql`
          select p.price::text as price, ${platformFeeSql(sql`p.price`, sql`${currency}::text`, s)}::text as fee
          from unnest(${sql.raw(`array[${prices.join(',')}]::bigint[]`)}) as p(price)`);
        for (const row of fees.rows) {
          expect([s, currency, Number(row.price), Number(row.fee)]).toEqual([
            s,
            currency,
            Number(row.price),
            platformFee(Number(row.price), currency, s),
          ]);
        }
      }
    }
  });
});
