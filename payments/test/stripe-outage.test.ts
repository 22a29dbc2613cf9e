import Stripe from 'stripe';
import { createStripeGateway, type StripeGateway } from '../src/stripe/stripe.gateway';
import { startPaymentsHarness, type PaymentsHarness } from './payments-harness';

/** The real SDK aimed at a port nobody listens on: every call fails with a connection error. */
const unreachable = createStripeGateway(
  new Stripe('sk_test_unreachable', { host: '127.0.0.1', port: 1, protocol: 'http', maxNetworkRetries: 0 }),
);

/** Which Stripe calls fail, and how. */
const faults = {
  createIntent: false,
  confirm: false,
  /** Refund calls still to fail by connection error. */
  refundsUnreachable: 0,
  /** Refund calls still to lose Stripe's answer after it refunded (a crash before the commit). */
  refundsLost: 0,
};

function withFaults(real: StripeGateway): StripeGateway {
  return {
    ...real,
    createIntent: (request) => (faults.createIntent ? unreachable : real).createIntent(request),
    confirm: (...args) => (faults.confirm ? unreachable : real).confirm(...args),
    refund: async (request) => {
      if (faults.refundsUnreachable > 0) {
        faults.refundsUnreachable -= 1;
        return unreachable.refund(request);
      }
      const refund = await real.refund(request);
      if (faults.refundsLost > 0) {
        faults.refundsLost -= 1;
        throw new Error('the process died before it saved the refund');
      }
      return refund;
    },
  };
}

let h: PaymentsHarness;

beforeAll(async () => {
  h = await startPaymentsHarness({ gateway: withFaults });
});
afterEach(() => {
  Object.assign(faults, { createIntent: false, confirm: false, refundsUnreachable: 0, refundsLost: 0 });
});
afterAll(async () => {
  await h.close();
});

describe('when Stripe cannot be reached', () => {
  it('answers 503 PAYMENT_PROVIDER_UNAVAILABLE to a payment it cannot create, and writes nothing', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    faults.createIntent = true;

    const res = await h.pay(buyer, order.id, 'pm_card_visa').expect(503);

    expect(res.body).toEqual({ code: 'PAYMENT_PROVIDER_UNAVAILABLE', message: expect.any(String) });
    expect(await h.paymentRow(order.id)).toBeUndefined();
    faults.createIntent = false;
    await h.pay(buyer, order.id, 'pm_card_visa').expect(201);
    await h.paymentReaches(order.id, 'succeeded');
    expect(h.intentsFor(order.id)).toHaveLength(1);
  });

  it('answers 503 to a confirmation that cannot reach Stripe and lets the buyer try again at once', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.pay(buyer, order.id).expect(201);
    faults.confirm = true;

    const res = await h.pay(buyer, order.id, 'pm_card_visa').expect(503);

    expect(res.body.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    expect(await h.paymentRow(order.id)).toMatchObject({ status: 'requires_payment_method', attempts: 1 });
    faults.confirm = false;
    await h.pay(buyer, order.id, 'pm_card_visa').expect(200);
    expect(await h.paymentReaches(order.id, 'succeeded')).toMatchObject({ attempts: 2 });
    expect(h.intentsFor(order.id)).toHaveLength(1);
  });
});

describe('refunds that fail', () => {
  async function paidAfterCancellation() {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.pay(buyer, order.id).expect(201);
    const [intent] = h.intentsFor(order.id);
    if (!intent) throw new Error('no PaymentIntent');
    await h.cancelOrder(order);
    await h.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    return { order, intent };
  }

  it('are retried with backoff until Stripe takes them, and issued once', async () => {
    faults.refundsUnreachable = 2;
    const { order, intent } = await paidAfterCancellation();

    const row = await h.paymentReaches(order.id, 'refunded');

    expect(row).toMatchObject({ refund_attempts: 2 });
    expect(h.refundsOf(intent.id)).toHaveLength(1);
    await h.settled();
    expect(await h.eventsFor('payment.refunded', order.id)).toHaveLength(1);
  });

  it('are not issued twice when Stripe refunded but the answer was lost: the retry gets the same refund back', async () => {
    faults.refundsLost = 1;
    const { order, intent } = await paidAfterCancellation();

    const row = await h.paymentReaches(order.id, 'refunded');

    const refunds = h.refundsOf(intent.id);
    expect(refunds).toHaveLength(1);
    expect(row).toMatchObject({ refund_attempts: 1, stripe_refund_id: refunds[0]?.id });
    await h.settled();
    expect(await h.eventsFor('payment.refunded', order.id)).toHaveLength(1);
  });
});
