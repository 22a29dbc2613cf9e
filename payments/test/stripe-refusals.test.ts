import { randomUUID } from 'node:crypto';
import { useHarness } from '@glotixz/common/testing';
import { startPaymentsHarness } from './payments-harness';

const h = useHarness(startPaymentsHarness);

describe('requests Stripe refuses', () => {
  it('answers 400 PAYMENT_METHOD_INVALID for an unknown PaymentMethod, and the buyer can pay with another at once', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);

    const res = await h.pay(buyer, order.id, 'pm_a').expect(400);

    expect(res.body).toEqual({
      code: 'PAYMENT_METHOD_INVALID',
      message: expect.any(String),
      details: { stripeCode: 'resource_missing', param: 'payment_method' },
    });
    expect(await h.paymentRow(order.id)).toMatchObject({
      status: 'requires_payment_method',
      attempts: 1,
      last_error: null,
    });
    await h.pay(buyer, order.id, 'pm_card_visa').expect(200);
    expect(await h.paymentReaches(order.id, 'succeeded')).toMatchObject({ attempts: 2 });
    expect(h.intentsFor(order.id)).toHaveLength(1);
  });

  it.each([
    ['above 99,999,999 minor units', 100_000_000, 'usd', 'amount_too_large'],
    ['below the minimum of its currency', 49, 'usd', 'amount_too_small'],
    ['below the minimum of a zero-decimal currency', 49, 'jpy', 'amount_too_small'],
  ])(
    'answers 400 PAYMENT_REQUEST_INVALID for an amount %s, writing nothing',
    async (_label, price, currency, stripeCode) => {
      const buyer = h.user();
      const order = await h.placeOrder(buyer, {
        ticket: { id: randomUUID(), title: 'Out of range', price, currency },
      });

      const res = await h.pay(buyer, order.id, 'pm_card_visa').expect(400);

      expect(res.body).toEqual({
        code: 'PAYMENT_REQUEST_INVALID',
        message: expect.any(String),
        details: { stripeCode, param: 'amount' },
      });
      expect(await h.paymentRow(order.id)).toBeUndefined();
      expect(h.intentsFor(order.id)).toEqual([]);
    },
  );
});
