import { randomUUID } from 'node:crypto';
import { waitFor, useHarness } from '@glotixz/common/testing';
import pino from 'pino';
import request from 'supertest';
import { createOverdueSweeper } from '../src/orders/overdue-sweeper';
import { startOrdersHarness } from './orders-harness';

const h = useHarness(startOrdersHarness);

/** The value of `name` on `/metrics` (as Prometheus scrapes it) whose labels include `label`. */
async function scraped(name: string, label = ''): Promise<number> {
  const res = await request(h.app).get('/metrics').expect(200);
  const line = res.text
    .split('\n')
    .find((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && l.includes(label));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function placedOrder(): Promise<{ orderId: string; price: number; currency: string }> {
  const ticket = await h.listTicket();
  const order = await h.placeOrder(h.user(), ticket.id);
  return { orderId: order.id, price: ticket.price, currency: ticket.currency };
}

describe('order counters on /metrics', () => {
  it('count placed, completed and expired orders, each once it committed and once per order', async () => {
    const created = await scraped('orders_created_total');
    const completed = await scraped('orders_completed_total');
    const expiredBy = (source: string) => scraped('orders_expired_total', `source="${source}"`);
    const byExpiration = await expiredBy('expiration');
    const bySweeper = await expiredBy('sweeper');

    const paid = await placedOrder();
    const expiring = await placedOrder();
    const overdue = await placedOrder();
    const taken = await h.listTicket();
    await h.placeOrder(h.user(), taken.id);
    // A rejected order (409) is not counted.
    await request(h.app)
      .post('/api/orders')
      .set('authorization', h.user().authorization)
      .send({ ticketId: taken.id })
      .expect(409);
    expect(await scraped('orders_created_total')).toBe(created + 4);

    const payment = {
      id: randomUUID(),
      orderId: paid.orderId,
      stripePaymentIntentId: `pi_${randomUUID().replaceAll('-', '')}`,
      amount: paid.price,
      currency: paid.currency,
    };
    const succeeded = await h.publish('payment.succeeded', payment);
    await h.republish(succeeded);
    const expiry = await h.publish('expiration.completed', { orderId: expiring.orderId });
    await h.republish(expiry);
    // Too late: the order is complete.
    await h.publish('expiration.completed', { orderId: paid.orderId });
    await waitFor(
      async () => (await h.orderRow(expiring.orderId))?.status === 'cancelled',
      5_000,
      'the expiry',
    );
    await h.consumerIdle('payment.succeeded');
    await h.consumerIdle('expiration.completed');

    await h.pool.query(`update orders set expires_at = now() - interval '1 minute' where id = $1`, [
      overdue.orderId,
    ]);
    const sweeper = createOverdueSweeper({
      db: h.db,
      logger: pino({ level: 'silent' }),
      intervalMs: 60_000,
      graceSeconds: 0,
      batchSize: 10,
      ordersMetrics: h.ordersMetrics,
    });
    expect(await sweeper.sweepOnce()).toBe(1);

    expect(await scraped('orders_completed_total')).toBe(completed + 1);
    expect(await expiredBy('expiration')).toBe(byExpiration + 1);
    expect(await expiredBy('sweeper')).toBe(bySweeper + 1);
  });
});
