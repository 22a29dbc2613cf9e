import { sleep, waitFor } from '@glotixz/common/testing';
import pino from 'pino';
import request from 'supertest';
import { createOverdueSweeper, type OverdueSweeper } from '../src/orders/overdue-sweeper';
import { startOrdersHarness, type OrdersHarness } from './orders-harness';

let h: OrdersHarness;
const sweepers: OverdueSweeper[] = [];

beforeAll(async () => {
  // No expiration service runs here: only the sweeper can cancel overdue orders.
  h = await startOrdersHarness({
    EXPIRATION_WINDOW_SECONDS: '2',
    SWEEP_INTERVAL_SECONDS: '1',
    SWEEP_GRACE_SECONDS: '1',
  });
});
afterEach(async () => {
  await Promise.all(sweepers.splice(0).map((sweeper) => sweeper.stop()));
});
afterAll(async () => {
  await h.close();
});

function sweeper(overrides: { batchSize?: number; withMetrics?: boolean } = {}): OverdueSweeper {
  const created = createOverdueSweeper({
    db: h.db,
    logger: pino({ level: 'silent' }),
    intervalMs: h.config.SWEEP_INTERVAL_SECONDS * 1000,
    graceSeconds: h.config.SWEEP_GRACE_SECONDS,
    batchSize: overrides.batchSize ?? h.config.SWEEP_BATCH_SIZE,
    metrics: overrides.withMetrics ? h.metrics : undefined,
  });
  sweepers.push(created);
  return created;
}

async function placeOrders(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const ticket = await h.listTicket();
    ids.push((await h.placeOrder(h.user(), ticket.id)).id);
  }
  return ids;
}

async function makeOverdue(ids: string[]): Promise<void> {
  await h.pool.query(
    `update orders set expires_at = now() - interval '1 minute' where id = any($1::uuid[])`,
    [ids],
  );
}

async function cancellationsOf(ids: string[]): Promise<Map<string, number[]>> {
  await h.outboxDrained();
  const byOrder = new Map<string, number[]>(ids.map((id) => [id, []]));
  for (const event of await h.events('order.cancelled')) byOrder.get(event.data.id)?.push(event.data.version);
  return byOrder;
}

describe('overdue sweeper (I5)', () => {
  it('cancels an unpaid order a few seconds after it expires, announces it once and counts it', async () => {
    sweeper({ withMetrics: true }).start();
    const [orderId] = await placeOrders(1);

    expect(await h.orderRow(orderId!)).toMatchObject({ status: 'awaiting_payment' });
    await waitFor(
      async () => (await h.orderRow(orderId!))?.status === 'cancelled',
      7_000,
      'the sweeper to cancel the order',
    );

    const row = await h.orderRow(orderId!);
    expect(row).toMatchObject({ status: 'cancelled', cancel_reason: 'expired', version: 1 });
    expect(Date.now() - row!.expires_at.getTime()).toBeLessThan(5_000);
    const cancellations = await waitFor(
      async () => {
        const found = await h.eventsFor('order.cancelled', orderId!);
        return found.length > 0 && found;
      },
      5_000,
      'order.cancelled on the stream',
    );
    await sleep(1_500);
    expect(await h.eventsFor('order.cancelled', orderId!)).toHaveLength(1);
    expect(cancellations[0]?.data).toMatchObject({ id: orderId, version: 1 });
    const metrics = await request(h.app).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^orders_overdue_cancelled_total\{service="orders"\} 1$/m);
  });

  it('leaves orders that are paid, cancelled or not yet past the grace period alone', async () => {
    const [paid, cancelled, fresh] = await placeOrders(3);
    await makeOverdue([paid!, cancelled!]);
    await h.pool.query(`update orders set status = 'complete', version = 1 where id = $1`, [paid]);
    await h.pool.query(
      `update orders set status = 'cancelled', cancel_reason = 'buyer', version = 1 where id = $1`,
      [cancelled],
    );

    expect(await sweeper().sweepOnce()).toBe(0);

    expect(await h.orderRow(paid!)).toMatchObject({ status: 'complete', version: 1 });
    expect(await h.orderRow(cancelled!)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await h.orderRow(fresh!)).toMatchObject({ status: 'awaiting_payment', version: 0 });
    await makeOverdue([fresh!]);
    expect(await sweeper().sweepOnce()).toBe(1);
  });

  it('cancels each overdue order exactly once with three sweepers and the expiry consumer racing', async () => {
    const ids = await placeOrders(24);
    await makeOverdue(ids);

    const racers = [sweeper({ batchSize: 5 }), sweeper({ batchSize: 5 }), sweeper({ batchSize: 7 })];
    const [swept] = await Promise.all([
      Promise.all(racers.map((racer) => racer.sweepOnce())),
      Promise.all(ids.map((orderId) => h.publish('expiration.completed', { orderId }))),
    ]);
    await h.consumerIdle('expiration.completed');

    const { rows } = await h.pool.query('select status, version from orders where id = any($1::uuid[])', [
      ids,
    ]);
    expect(rows).toHaveLength(24);
    expect(rows.every((row) => row.status === 'cancelled' && row.version === 1)).toBe(true);
    const cancellations = await cancellationsOf(ids);
    expect([...cancellations.values()]).toEqual(ids.map(() => [1]));
    expect(swept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(24);
  });

  it('runs no sweep after stop()', async () => {
    const looping = sweeper();
    looping.start();
    await looping.stop();

    const [orderId] = await placeOrders(1);
    await makeOverdue([orderId!]);
    await sleep(2_200);

    expect(await h.orderRow(orderId!)).toMatchObject({ status: 'awaiting_payment', version: 0 });
  });
});
