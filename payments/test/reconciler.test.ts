import { waitFor, useHarness } from '@glotixz/common/testing';
import pino from 'pino';
import request from 'supertest';
import { paymentsRepo } from '../src/payments/payments.repo';
import { createReconciler } from '../src/reconciler/reconciler';
import { createStripeClient } from '../src/stripe/stripe.client';
import { createStripeGateway } from '../src/stripe/stripe.gateway';
import { startPaymentsHarness, type TestUser } from './payments-harness';

/** How long the reconciler may take to settle a payment no webhook told us about. */
const bound = 10_000;

const h = useHarness(() =>
  startPaymentsHarness({
    env: {
      RECONCILE_INTERVAL_SECONDS: '1',
      RECONCILE_OPEN_AFTER_SECONDS: '1',
      RECONCILE_STALE_ATTEMPT_SECONDS: '1',
    },
  }),
);
beforeAll(() => {
  // Stripe never reaches the webhook: every outcome below comes from asking Stripe.
  h.sandbox.setWebhookUrl(undefined);
  h.reconciler.start();
});

async function reaches(orderId: string, status: string) {
  return waitFor(
    async () => {
      const row = await h.paymentRow(orderId);
      return row?.status === status ? row : undefined;
    },
    bound,
    `payment of order ${orderId} to be ${status}`,
  );
}

/** An order with a PaymentIntent the buyer has not confirmed yet. */
async function orderWithIntent(buyer: TestUser = h.user()) {
  const order = await h.placeOrder(buyer);
  await h.pay(buyer, order.id).expect(201);
  const [intent] = h.intentsFor(order.id);
  if (!intent) throw new Error('no PaymentIntent');
  return { order, intent };
}

async function reconciled(outcome: string): Promise<number> {
  const res = await request(h.app).get('/metrics').expect(200);
  const match = new RegExp(
    `^payments_reconciled_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`,
    'm',
  ).exec(res.text);
  return Number(match?.[1] ?? 0);
}

describe('when no webhook arrives', () => {
  it('records a payment Stripe took within a bounded time: payment.succeeded once, as the webhook would', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    const before = await reconciled('succeeded');
    const started = Date.now();

    await h.pay(buyer, order.id, 'pm_card_visa').expect(201);

    const row = await reaches(order.id, 'succeeded');
    expect(Date.now() - started).toBeLessThan(bound);
    expect(h.intentsFor(order.id)[0]?.status).toBe('succeeded');
    await h.settled();
    expect((await h.eventsFor('payment.succeeded', order.id)).map((e) => e.data)).toEqual([
      {
        id: row.id,
        orderId: order.id,
        stripePaymentIntentId: row.stripe_payment_intent_id,
        amount: order.ticket.price,
        currency: order.ticket.currency,
      },
    ]);
    expect(h.sandbox.deliveries().filter((d) => d.type === 'payment_intent.succeeded')).toEqual([]);
    expect(await reconciled('succeeded')).toBeGreaterThan(before);
    await h.getPayment(buyer, order.id).expect(200);
  });

  it('refunds a charge made after the order was cancelled: one refund, payment.refunded, no payment.succeeded', async () => {
    const { order, intent } = await orderWithIntent();
    await h.cancelOrder(order);

    // The buyer's browser confirms with Stripe.js after the order expired.
    await h.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });

    const row = await reaches(order.id, 'refunded');
    const refunds = h.refundsOf(intent.id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ id: row.stripe_refund_id, amount: order.ticket.price });
    await h.settled();
    expect(await h.eventsFor('payment.refunded', order.id)).toHaveLength(1);
    expect(await h.eventsFor('payment.succeeded', order.id)).toEqual([]);
  });

  it('cancels the PaymentIntent of an order cancelled unpaid, so a late confirmation charges nothing', async () => {
    const { order, intent } = await orderWithIntent();
    await h.cancelOrder(order);

    await reaches(order.id, 'canceled');

    expect(h.intentsFor(order.id)[0]).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    await expect(
      h.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
    ).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
    expect(h.intentsFor(order.id)[0]?.amount_received).toBe(0);
  });

  it('checks an open payment at once when its order is cancelled, however long its checks had backed off', async () => {
    const { order } = await orderWithIntent();
    await h.pool.query(
      `update payments set reconcile_checks = 10, reconcile_at = now() + interval '1 hour' where order_id = $1`,
      [order.id],
    );

    await h.cancelOrder(order);

    await reaches(order.id, 'canceled');
    expect(h.intentsFor(order.id)[0]?.status).toBe('canceled');
  });

  it('changes nothing when the webhook turns up after all: the charge is recorded once', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.pay(buyer, order.id, 'pm_card_visa').expect(201);
    const row = await reaches(order.id, 'succeeded');

    const event = (
      h.sandbox.events() as { id: string; type: string; data: { object: { id: string } } }[]
    ).find((e) => e.type === 'payment_intent.succeeded' && e.data.object.id === row.stripe_payment_intent_id);
    if (!event) throw new Error('no payment_intent.succeeded event');
    h.sandbox.setWebhookUrl(h.webhookUrl);
    try {
      await h.sandbox.resend(event.id);
    } finally {
      h.sandbox.setWebhookUrl(undefined);
    }

    expect(
      h.sandbox
        .deliveries()
        .filter((d) => d.eventId === event.id)
        .map((d) => d.status),
    ).toEqual([200]);
    await h.settled();
    expect(await h.eventsFor('payment.succeeded', order.id)).toHaveLength(1);
    expect(await h.paymentRow(order.id)).toMatchObject({ status: 'succeeded' });
  });

  it('records each charge once when several replicas reconcile at the same time', async () => {
    const buyers = Array.from({ length: 6 }, () => h.user());
    const orders = await Promise.all(buyers.map((buyer) => h.placeOrder(buyer)));
    await Promise.all(orders.map((order, i) => h.pay(buyers[i]!, order.id, 'pm_card_visa').expect(201)));
    const replicas = Array.from({ length: 3 }, () =>
      createReconciler({
        db: h.db,
        stripe: createStripeGateway(createStripeClient(h.config)),
        logger: pino({ level: 'silent' }),
        refunds: h.refunds,
        intervalMs: 60_000,
        payoutHoldSeconds: 1,
        clock: h.clock,
        openAfterSeconds: 1,
        staleAttemptSeconds: 0,
        backoffCapSeconds: 1,
        batchSize: 2,
      }),
    );

    await Promise.all(replicas.map((replica) => replica.reconcileDue()));

    for (const order of orders) await reaches(order.id, 'succeeded');
    await h.settled();
    for (const order of orders) expect(await h.eventsFor('payment.succeeded', order.id)).toHaveLength(1);
  });
});

describe('a confirmation lost with its process', () => {
  it('no longer blocks the buyer: the reconciler releases it and the buyer pays at once', async () => {
    const buyer = h.user();
    const { order } = await orderWithIntent(buyer);
    // The process claims the attempt and dies before it asks Stripe to confirm.
    const payment = await paymentsRepo.findByOrder(h.db, order.id);
    const claimed = await h.db.transaction((tx) => paymentsRepo.claimAttempt(tx, payment!.id));
    expect(claimed).toMatchObject({ status: 'processing', attempts: 1 });
    const started = Date.now();

    await reaches(order.id, 'requires_payment_method');
    expect(Date.now() - started).toBeLessThan(bound);

    await h.pay(buyer, order.id, 'pm_card_visa').expect(200);
    expect(await reaches(order.id, 'succeeded')).toMatchObject({ attempts: 2 });
    expect(h.intentsFor(order.id)).toHaveLength(1);
  });
});
