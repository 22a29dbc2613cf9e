import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { useHarness } from '@glotixz/common/testing';
import { startOrdersHarness } from './orders-harness';

const h = useHarness(startOrdersHarness);

async function placedOrder() {
  const buyer = h.user();
  const ticket = await h.listTicket();
  const order = await h.placeOrder(buyer, ticket.id);
  return { buyer, ticket, order };
}

async function settledCancellations(orderId: string) {
  await h.outboxDrained();
  return h.eventsFor('order.cancelled', orderId);
}

describe.each([
  ['POST /api/orders/:id/cancel', (id: string) => request(h.app).post(`/api/orders/${id}/cancel`)],
  ['DELETE /api/orders/:id', (id: string) => request(h.app).delete(`/api/orders/${id}`)],
])('%s', (_name, cancel) => {
  it('cancels my order awaiting payment: 200, version + 1 and one order.cancelled', async () => {
    const { buyer, ticket, order } = await placedOrder();

    const res = await cancel(order.id).set('authorization', buyer.authorization).expect(200);

    expect(res.body).toMatchObject({
      id: order.id,
      status: 'cancelled',
      cancelReason: 'buyer',
      version: 1,
      ticket: { id: ticket.id },
    });
    expect(await h.orderRow(order.id)).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'buyer',
      version: 1,
    });
    const events = await settledCancellations(order.id);
    expect(events.map((e) => e.data)).toEqual([
      {
        id: order.id,
        version: 1,
        ticket: { id: ticket.id, title: ticket.title },
        userId: buyer.id,
        reason: 'buyer',
      },
    ]);
  });

  it('answers an already cancelled order unchanged with 200 and publishes nothing more', async () => {
    const { buyer, order } = await placedOrder();
    await cancel(order.id).set('authorization', buyer.authorization).expect(200);

    const again = await cancel(order.id).set('authorization', buyer.authorization).expect(200);

    expect(again.body).toMatchObject({ status: 'cancelled', cancelReason: 'buyer', version: 1 });
    expect(await h.orderRow(order.id)).toMatchObject({ status: 'cancelled', version: 1 });
    expect(await settledCancellations(order.id)).toHaveLength(1);
  });

  it("answers 404 for another user's order and leaves it alone (I7)", async () => {
    const { order } = await placedOrder();

    const res = await cancel(order.id).set('authorization', h.user().authorization).expect(404);

    expect(res.body.code).toBe('NOT_FOUND');
    expect(await h.orderRow(order.id)).toMatchObject({ status: 'awaiting_payment', version: 0 });
    expect(await settledCancellations(order.id)).toEqual([]);
  });

  it('answers 404 for an unknown order and 400 for a malformed id', async () => {
    const buyer = h.user();
    await cancel(randomUUID()).set('authorization', buyer.authorization).expect(404);
    const res = await cancel('nope').set('authorization', buyer.authorization).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'params.id' })]);
  });

  it('answers 401 without a token and leaves the order alone', async () => {
    const { order } = await placedOrder();
    await cancel(order.id).expect(401);
    expect(await h.orderRow(order.id)).toMatchObject({ status: 'awaiting_payment', version: 0 });
  });
});

describe('a paid order', () => {
  it('cannot be cancelled: 409 ORDER_NOT_CANCELLABLE, still complete, no order.cancelled', async () => {
    const { buyer, ticket, order } = await placedOrder();
    await h.publish('payment.succeeded', {
      id: randomUUID(),
      orderId: order.id,
      stripePaymentIntentId: 'pi_test_123',
      amount: ticket.price,
      currency: ticket.currency,
    });
    await h.consumerIdle('payment.succeeded');
    expect(await h.orderRow(order.id)).toMatchObject({ status: 'complete', version: 1 });

    for (const attempt of [
      request(h.app).post(`/api/orders/${order.id}/cancel`),
      request(h.app).delete(`/api/orders/${order.id}`),
    ]) {
      const res = await attempt.set('authorization', buyer.authorization).expect(409);
      expect(res.body.code).toBe('ORDER_NOT_CANCELLABLE');
    }
    expect(await h.orderRow(order.id)).toMatchObject({ status: 'complete', version: 1 });
    expect(await settledCancellations(order.id)).toEqual([]);
  });
});
