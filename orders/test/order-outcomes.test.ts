import { randomUUID } from 'node:crypto';
import type { TicketCreatedData } from '@glotixz/common/events';
import { readSubject, waitFor, useHarness } from '@glotixz/common/testing';
import request from 'supertest';
import { startOrdersHarness, type TestUser } from './orders-harness';

const h = useHarness(startOrdersHarness);

async function placedOrder(): Promise<{ buyer: TestUser; ticket: TicketCreatedData; orderId: string }> {
  const buyer = h.user();
  const ticket = await h.listTicket();
  const order = await h.placeOrder(buyer, ticket.id);
  return { buyer, ticket, orderId: order.id };
}

function paymentFor(orderId: string, ticket: TicketCreatedData) {
  return {
    id: randomUUID(),
    orderId,
    stripePaymentIntentId: `pi_${randomUUID().replaceAll('-', '')}`,
    amount: ticket.price,
    currency: ticket.currency,
  };
}

async function settled(subject: 'order.cancelled' | 'order.completed', orderId: string) {
  await h.consumerIdle('expiration.completed');
  await h.consumerIdle('payment.succeeded');
  await h.outboxDrained();
  return h.eventsFor(subject, orderId);
}

describe('expiration.completed', () => {
  it('cancels an order awaiting payment once, however often the expiry is delivered', async () => {
    const { buyer, ticket, orderId } = await placedOrder();

    const expiry = await h.publish('expiration.completed', { orderId });
    await h.republish(expiry);
    await h.publish('expiration.completed', { orderId });

    await waitFor(async () => (await h.orderRow(orderId))?.status === 'cancelled', 5_000, 'order cancelled');
    const events = await settled('order.cancelled', orderId);
    expect(events.map((e) => e.data)).toEqual([
      {
        id: orderId,
        version: 1,
        ticket: { id: ticket.id, title: ticket.title },
        userId: buyer.id,
        reason: 'expired',
      },
    ]);
    expect(await h.orderRow(orderId)).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'expired',
      version: 1,
    });
    const res = await request(h.app).get(`/api/orders/${orderId}`).set('authorization', buyer.authorization);
    expect(res.body).toMatchObject({ status: 'cancelled', cancelReason: 'expired' });
  });

  it('does nothing to a complete order', async () => {
    const { ticket, orderId } = await placedOrder();
    await h.publish('payment.succeeded', paymentFor(orderId, ticket));
    await waitFor(async () => (await h.orderRow(orderId))?.status === 'complete', 5_000, 'order complete');

    await h.publish('expiration.completed', { orderId });

    expect(await settled('order.cancelled', orderId)).toEqual([]);
    expect(await h.orderRow(orderId)).toMatchObject({ status: 'complete', version: 1 });
  });

  it('acks an expiry for an unknown order without dead-lettering it', async () => {
    await h.publish('expiration.completed', { orderId: randomUUID() });
    await h.consumerIdle('expiration.completed');
    expect(await readSubject(h.bus, 'deadletter.orders-expiration-completed')).toEqual([]);
  });

  it('races the buyer cancelling the same order and announces one cancellation', async () => {
    const { buyer, orderId } = await placedOrder();

    const [res] = await Promise.all([
      request(h.app).post(`/api/orders/${orderId}/cancel`).set('authorization', buyer.authorization),
      h.publish('expiration.completed', { orderId }),
    ]);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await settled('order.cancelled', orderId)).toHaveLength(1);
    expect(await h.orderRow(orderId)).toMatchObject({ status: 'cancelled', version: 1 });
  });
});

describe('payment.succeeded', () => {
  it('completes an order awaiting payment and publishes order.completed once, even when redelivered', async () => {
    const { buyer, ticket, orderId } = await placedOrder();

    const payment = await h.publish('payment.succeeded', paymentFor(orderId, ticket));
    await h.republish(payment);

    await waitFor(async () => (await h.orderRow(orderId))?.status === 'complete', 5_000, 'order complete');
    const events = await settled('order.completed', orderId);
    // A ticket listed before listings had events: no e-ticket (see etickets.test.ts).
    expect(events.map((e) => e.data)).toEqual([
      {
        id: orderId,
        version: 1,
        ticket: { id: ticket.id, title: ticket.title, price: 2_500, fee: 349, total: 2_849, currency: 'usd' },
        userId: buyer.id,
        sellerId: ticket.userId,
      },
    ]);
    const res = await request(h.app).get(`/api/orders/${orderId}`).set('authorization', buyer.authorization);
    expect(res.body).toMatchObject({ status: 'complete', version: 1 });
  });

  it('is ignored for a cancelled order: it stays cancelled and nothing is completed', async () => {
    const { buyer, ticket, orderId } = await placedOrder();
    await request(h.app)
      .post(`/api/orders/${orderId}/cancel`)
      .set('authorization', buyer.authorization)
      .expect(200);

    await h.publish('payment.succeeded', paymentFor(orderId, ticket));

    expect(await settled('order.completed', orderId)).toEqual([]);
    expect(await h.orderRow(orderId)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await readSubject(h.bus, 'deadletter.orders-payment-succeeded')).toEqual([]);
  });

  it('is ignored for an already complete order: one order.completed for two payments', async () => {
    const { ticket, orderId } = await placedOrder();
    await h.publish('payment.succeeded', paymentFor(orderId, ticket));
    await h.publish('payment.succeeded', paymentFor(orderId, ticket));

    await waitFor(async () => (await h.orderRow(orderId))?.status === 'complete', 5_000, 'order complete');
    expect(await settled('order.completed', orderId)).toHaveLength(1);
    expect(await h.orderRow(orderId)).toMatchObject({ status: 'complete', version: 1 });
  });
});
