import { randomUUID } from 'node:crypto';
import type { Envelope } from '@glotixz/common/events';
import { readSubject, sleep, waitFor, useHarness } from '@glotixz/common/testing';
import { startPaymentsHarness } from './payments-harness';

const h = useHarness(startPaymentsHarness);

/** Publishes the same envelope again under another JetStream msgID: a redelivery. */
async function republish(envelope: Envelope): Promise<void> {
  await h.bus.publishRaw(envelope.subject, JSON.stringify(envelope), { msgID: randomUUID() });
}

async function noDeadLetters(): Promise<void> {
  for (const durable of ['payments-order-created', 'payments-order-cancelled', 'payments-order-completed']) {
    expect(await readSubject(h.bus, `deadletter.${durable}`)).toEqual([]);
  }
}

describe('the order replica', () => {
  it('copies order.created once, with the amount and currency to charge, however often it is delivered', async () => {
    const buyer = h.user();
    const expiresAt = new Date(Date.now() + 600_000).toISOString();
    const order = await h.placeOrder(buyer, {
      expiresAt,
      ticket: { id: randomUUID(), title: 'Concert', price: 1999, currency: 'gbp' },
    });
    const [created] = await h.eventsFor('order.created', order.id);
    if (!created) throw new Error('order.created not on the stream');

    await republish(created);
    await h.consumerIdle('order.created');

    expect(await h.orderRow(order.id)).toEqual({
      id: order.id,
      user_id: buyer.id,
      status: 'awaiting_payment',
      amount: '1999',
      currency: 'gbp',
      expires_at: new Date(expiresAt),
      version: 0,
      // An event from before fees and payouts: the price is charged, no fee, no seller.
      price: '1999',
      fee: '0',
      title: 'Concert',
      seller_id: null,
      event_id: null,
      event_starts_at: null,
    });
    const { rows } = await h.pool.query('select count(*)::int as n from orders where id = $1', [order.id]);
    expect(rows[0].n).toBe(1);
  });

  it('charges the total of an order with fees, and keeps its price, fee, seller and event for the payout', async () => {
    const buyer = h.user();
    const sellerId = randomUUID();
    const event = { id: randomUUID(), startsAt: '2027-03-01T19:30:00.000Z' };
    const order = await h.placeOrder(buyer, {
      ticket: { id: randomUUID(), title: 'Opera', price: 5000, fee: 599, total: 5599, currency: 'eur' },
      sellerId,
      event,
    });
    expect(await h.orderRow(order.id)).toMatchObject({
      amount: '5599',
      price: '5000',
      fee: '599',
      seller_id: sellerId,
      event_id: event.id,
      event_starts_at: new Date(event.startsAt),
    });
    const res = await h.pay(buyer, order.id).expect(201);
    expect(res.body).toMatchObject({ amount: 5599, currency: 'eur' });
    const [intent] = h.intentsFor(order.id);
    expect(intent).toMatchObject({ amount: 5599, currency: 'eur', transfer_group: order.id });
  });

  it('holds back an order.cancelled that overtakes its order.created until the order arrives (I3)', async () => {
    const buyer = h.user();
    const id = randomUUID();
    const ticket = { id: randomUUID(), title: 'Concert', price: 500, currency: 'usd' };
    await h.publish('order.cancelled', { id, version: 1, ticket: { id: ticket.id } });
    await sleep(300);
    expect(await h.orderRow(id)).toBeUndefined();

    await h.publish('order.created', {
      id,
      status: 'awaiting_payment',
      userId: buyer.id,
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      version: 0,
      ticket,
    });

    await waitFor(
      async () => (await h.orderRow(id))?.status === 'cancelled',
      10_000,
      'the early cancellation',
    );
    expect(await h.orderRow(id)).toMatchObject({ status: 'cancelled', version: 1 });
    const res = await h.pay(buyer, id).expect(409);
    expect(res.body.code).toBe('ORDER_NOT_PAYABLE');
    await noDeadLetters();
  });

  it('acks a repeated or stale order event without changing the order', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.completeOrder(order);
    const [completed] = await h.eventsFor('order.completed', order.id);
    if (!completed) throw new Error('order.completed not on the stream');

    await republish(completed);
    await h.publish('order.cancelled', { id: order.id, version: 1, ticket: { id: order.ticket.id } });
    await h.publish('order.created', { ...order, status: 'awaiting_payment' });
    await h.consumerIdle('order.completed');
    await h.consumerIdle('order.cancelled');
    await h.consumerIdle('order.created');

    expect(await h.orderRow(order.id)).toMatchObject({ status: 'complete', version: 1 });
    const res = await h.pay(buyer, order.id).expect(409);
    expect(res.body.code).toBe('ORDER_ALREADY_PAID');
    await noDeadLetters();
  });

  it('counts a redelivered order.cancelled as a duplicate in the bus metrics, not as acked', async () => {
    const durable = 'payments-order-cancelled';
    const handled = async (outcome: string): Promise<number> => {
      const metric = await h.metrics.getSingleMetric('bus_messages_handled_total')?.get();
      const value = metric?.values.find((v) => v.labels.consumer === durable && v.labels.outcome === outcome);
      return value?.value ?? 0;
    };
    const order = await h.placeOrder(h.user());
    await h.cancelOrder(order);
    await h.consumerIdle('order.cancelled');
    const [cancelled] = await h.eventsFor('order.cancelled', order.id);
    if (!cancelled) throw new Error('order.cancelled not on the stream');
    const before = { acked: await handled('acked'), duplicate: await handled('duplicate') };

    await republish(cancelled);
    await waitFor(async () => (await handled('duplicate')) > before.duplicate, 5_000, 'the duplicate');
    await h.consumerIdle('order.cancelled');

    expect(await handled('duplicate')).toBe(before.duplicate + 1);
    expect(await handled('acked')).toBe(before.acked);
    expect(await h.orderRow(order.id)).toMatchObject({ status: 'cancelled', version: 1 });
  });
});
