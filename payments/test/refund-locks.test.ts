import pino from 'pino';
import { createRefundWorker } from '../src/refunds/refund-worker';
import type { StripeGateway } from '../src/stripe/stripe.gateway';
import { startPaymentsHarness, type PaymentsHarness } from './payments-harness';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Holds each refund call until the test lets it go: Stripe taking its time. */
const slowStripe = { entered: deferred(), released: deferred(), calls: 0 };

function withSlowRefunds(real: StripeGateway): StripeGateway {
  return {
    ...real,
    refund: async (request) => {
      slowStripe.calls += 1;
      slowStripe.entered.resolve();
      await slowStripe.released.promise;
      return real.refund(request);
    },
  };
}

let h: PaymentsHarness;

beforeAll(async () => {
  h = await startPaymentsHarness({ gateway: withSlowRefunds });
});
afterAll(async () => {
  slowStripe.released.resolve();
  await h.close();
});

describe('the refund worker while Stripe is slow', () => {
  it('holds no row lock during the call, no other worker takes the same refund, and it is refunded once', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.pay(buyer, order.id).expect(201);
    const [intent] = h.intentsFor(order.id);
    if (!intent) throw new Error('no PaymentIntent');
    await h.cancelOrder(order);
    await h.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });

    await slowStripe.entered.promise;
    const payment = await h.paymentRow(order.id);
    expect(payment?.status).toBe('refund_pending');

    // Another transaction can lock the payment and its order at once: nothing is held.
    const client = await h.pool.connect();
    try {
      await client.query('begin');
      await client.query('select id from payments where id = $1 for update nowait', [payment?.id]);
      await client.query('select id from orders where id = $1 for update nowait', [order.id]);
      await client.query('rollback');
    } finally {
      client.release();
    }
    // A second worker finds the refund claimed and leaves it alone.
    let otherCalls = 0;
    const other = createRefundWorker({
      db: h.db,
      stripe: {
        refund: () => {
          otherCalls += 1;
          return Promise.reject(new Error('a second worker asked Stripe for the same refund'));
        },
        refundsOf: () => Promise.resolve([]),
        transfersOf: () => Promise.resolve([]),
        reverseTransfer: () => Promise.reject(new Error('no transfer to reverse')),
      },
      logger: pino({ level: 'silent' }),
      intervalMs: 60_000,
    });
    expect(await other.refundDue()).toBe(0);
    expect(otherCalls).toBe(0);
    expect(slowStripe.calls).toBe(1);

    slowStripe.released.resolve();

    const row = await h.paymentReaches(order.id, 'refunded');
    expect(h.refundsOf(intent.id)).toHaveLength(1);
    expect(row.stripe_refund_id).toBe(h.refundsOf(intent.id)[0]?.id);
    await h.settled();
    expect(await h.eventsFor('payment.refunded', order.id)).toHaveLength(1);
  });
});
