import pino from 'pino';
import { createRefundWorker } from '../src/refunds/refund-worker';
import { createStripeClient } from '../src/stripe/stripe.client';
import { createStripeGateway } from '../src/stripe/stripe.gateway';
import { useHarness } from '@glotixz/common/testing';
import { startPaymentsHarness, type TestUser } from './payments-harness';

const h = useHarness(startPaymentsHarness);

/** An order with a PaymentIntent the buyer has not confirmed yet. */
async function orderWithIntent(buyer: TestUser = h.user()) {
  const order = await h.placeOrder(buyer);
  const res = await h.pay(buyer, order.id).expect(201);
  const [intent] = h.intentsFor(order.id);
  if (!intent) throw new Error('no PaymentIntent');
  return { order, intent, paymentId: res.body.id as string };
}

describe('a payment that races the expiry of its order', () => {
  it('is refunded when it succeeds just after order.cancelled arrived: a refund at Stripe, payment.refunded, no payment.succeeded', async () => {
    const buyer = h.user();
    const { order, intent, paymentId } = await orderWithIntent(buyer);
    const refundedBefore = await h.counter('payments_refunded_total');
    await h.cancelOrder(order);

    // The buyer's browser confirms with Stripe.js after the order expired.
    await h.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });

    const row = await h.paymentReaches(order.id, 'refunded');
    const refunds = h.refundsOf(intent.id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({
      id: row.stripe_refund_id,
      amount: order.ticket.price,
      status: 'succeeded',
    });
    await h.settled();
    expect((await h.eventsFor('payment.refunded', order.id)).map((e) => e.data)).toEqual([
      {
        id: paymentId,
        orderId: order.id,
        stripePaymentIntentId: intent.id,
        amount: order.ticket.price,
        currency: order.ticket.currency,
        reason: 'order_cancelled',
        userId: buyer.id,
      },
    ]);
    expect(await h.eventsFor('payment.succeeded', order.id)).toEqual([]);
    expect(await h.counter('payments_refunded_total')).toBe(refundedBefore + 1);
    const polled = await h.getPayment(buyer, order.id).expect(200);
    expect(polled.body.status).toBe('refunded');
  });

  it('publishes payment.succeeded and keeps the money when it succeeds just before, and orders completes the order', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.pay(buyer, order.id, 'pm_card_visa').expect(201);
    await h.paymentReaches(order.id, 'succeeded');
    await h.settled();
    expect(await h.eventsFor('payment.succeeded', order.id)).toHaveLength(1);

    await h.completeOrder(order);
    await h.refunds.refundDue();

    const row = await h.paymentRow(order.id);
    expect(row).toMatchObject({ status: 'succeeded', stripe_refund_id: null });
    expect(h.refundsOf(row?.stripe_payment_intent_id ?? '')).toEqual([]);
    expect(await h.eventsFor('payment.refunded', order.id)).toEqual([]);
  });

  it('is refunded too when order.cancelled arrives after payment.succeeded (orders cancelled first and ignored it)', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.pay(buyer, order.id, 'pm_card_visa').expect(201);
    const paid = await h.paymentReaches(order.id, 'succeeded');

    await h.cancelOrder(order);

    const row = await h.paymentReaches(order.id, 'refunded');
    expect(h.refundsOf(paid.stripe_payment_intent_id)).toHaveLength(1);
    expect(row.stripe_refund_id).toBe(h.refundsOf(paid.stripe_payment_intent_id)[0]?.id);
    await h.settled();
    expect(await h.eventsFor('payment.succeeded', order.id)).toHaveLength(1);
    expect(await h.eventsFor('payment.refunded', order.id)).toHaveLength(1);
  });

  it('ends every cancelled order refunded exactly once when payments and cancellations race', async () => {
    const orders = await Promise.all(Array.from({ length: 8 }, () => orderWithIntent()));

    await Promise.all(
      orders.flatMap(({ order, intent }) => [
        h.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
        h.publish('order.cancelled', { id: order.id, version: 1, ticket: { id: order.ticket.id } }),
      ]),
    );

    for (const { order, intent } of orders) {
      await h.paymentReaches(order.id, 'refunded');
      expect(h.refundsOf(intent.id)).toHaveLength(1);
    }
    await h.settled();
    for (const { order } of orders) {
      expect(await h.eventsFor('payment.refunded', order.id)).toHaveLength(1);
      expect((await h.eventsFor('payment.succeeded', order.id)).length).toBeLessThanOrEqual(1);
    }
  });
});

describe('the refund worker', () => {
  it('issues each due refund once when several workers race for them', async () => {
    await h.refunds.stop();
    try {
      const orders = await Promise.all(Array.from({ length: 6 }, () => orderWithIntent()));
      for (const { order } of orders) await h.cancelOrder(order);
      await Promise.all(
        orders.map(({ intent }) =>
          h.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
        ),
      );
      for (const { order } of orders) await h.paymentReaches(order.id, 'refund_pending');

      const workers = Array.from({ length: 3 }, () =>
        createRefundWorker({
          db: h.db,
          stripe: createStripeGateway(createStripeClient(h.config)),
          logger: pino({ level: 'silent' }),
          intervalMs: 60_000,
        }),
      );
      const issued = await Promise.all(workers.map((worker) => worker.refundDue()));

      expect(issued.reduce((sum, n) => sum + n, 0)).toBe(orders.length);
      for (const { order, intent } of orders) {
        expect(h.refundsOf(intent.id)).toHaveLength(1);
        expect(await h.paymentRow(order.id)).toMatchObject({ status: 'refunded' });
      }
    } finally {
      h.refunds.start();
    }
  });
});
