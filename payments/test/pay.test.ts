import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { useHarness } from '@glotixz/common/testing';
import { startPaymentsHarness } from './payments-harness';

const h = useHarness(startPaymentsHarness);

describe('paying for an order', () => {
  it('takes an order from created to paid: one PaymentIntent for the order amount, payment.succeeded once, then 409 ORDER_ALREADY_PAID', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer, {
      ticket: { id: randomUUID(), title: 'Concert', price: 4200, currency: 'eur' },
    });

    const res = await h.pay(buyer, order.id, 'pm_card_visa').expect(201);

    expect(res.body).toEqual({
      id: expect.any(String),
      orderId: order.id,
      status: expect.stringMatching(/^(processing|succeeded)$/),
      clientSecret: expect.stringMatching(/^pi_\w+_secret_\w+$/),
      amount: 4200,
      currency: 'eur',
      publishableKey: 'pk_test_glotixz',
    });
    const row = await h.paymentReaches(order.id, 'succeeded');
    const [intent, ...others] = h.intentsFor(order.id);
    expect(others).toEqual([]);
    expect(intent).toMatchObject({
      id: row.stripe_payment_intent_id,
      amount: 4200,
      currency: 'eur',
      status: 'succeeded',
      metadata: { orderId: order.id, userId: buyer.id },
    });

    await h.settled();
    const succeeded = await h.eventsFor('payment.succeeded', order.id);
    expect(succeeded.map((e) => e.data)).toEqual([
      {
        id: res.body.id,
        orderId: order.id,
        stripePaymentIntentId: intent?.id,
        amount: 4200,
        currency: 'eur',
      },
    ]);
    const polled = await h.getPayment(buyer, order.id).expect(200);
    expect(polled.body).toMatchObject({ id: res.body.id, status: 'succeeded' });
    expect(polled.body.lastError).toBeUndefined();

    // Before orders has completed the order, and after.
    const early = await h.pay(buyer, order.id, 'pm_card_visa').expect(409);
    expect(early.body.code).toBe('ORDER_ALREADY_PAID');
    await h.completeOrder(order);
    const late = await h.pay(buyer, order.id).expect(409);
    expect(late.body.code).toBe('ORDER_ALREADY_PAID');
    expect(h.intentsFor(order.id)).toHaveLength(1);
    expect(await h.eventsFor('payment.succeeded', order.id)).toHaveLength(1);
  });

  it('returns the same PaymentIntent when asked again (200), and confirms that one later', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);

    const first = await h.pay(buyer, order.id).expect(201);
    const second = await h.pay(buyer, order.id).expect(200);
    expect(first.body.status).toBe('requires_payment_method');
    expect(second.body).toEqual(first.body);

    const confirmed = await h.pay(buyer, order.id, 'pm_card_visa').expect(200);
    expect(confirmed.body.id).toBe(first.body.id);
    await h.paymentReaches(order.id, 'succeeded');
    expect(h.intentsFor(order.id)).toHaveLength(1);
    const { rows } = await h.pool.query('select count(*)::int as n from payments where order_id = $1', [
      order.id,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('makes one PaymentIntent, one payment and one charge when the buyer pays 10 times at once', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);

    const responses = await Promise.all(
      Array.from({ length: 10 }, () => h.pay(buyer, order.id, 'pm_card_visa')),
    );

    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    for (const res of responses) {
      if (res.status === 409) expect(res.body.code).toBe('ORDER_ALREADY_PAID');
      else expect(res.status === 200 || res.status === 201).toBe(true);
    }
    const ids = new Set(responses.filter((res) => res.status !== 409).map((res) => res.body.id));
    expect(ids.size).toBe(1);

    const row = await h.paymentReaches(order.id, 'succeeded');
    expect(row.attempts).toBe(1);
    await h.settled();
    const [intent, ...others] = h.intentsFor(order.id);
    expect(others).toEqual([]);
    const charges = (h.sandbox.events() as { type: string; data: { object: { id: string } } }[]).filter(
      (event) => event.type === 'payment_intent.succeeded' && event.data.object.id === intent?.id,
    );
    expect(charges).toHaveLength(1);
    expect(await h.eventsFor('payment.succeeded', order.id)).toHaveLength(1);
  });

  it.each([
    ['pm_card_chargeDeclined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ])(
    'answers 402 PAYMENT_DECLINED for %s, shows why, and takes another card on the same PaymentIntent',
    async (paymentMethodId, declineCode) => {
      const buyer = h.user();
      const order = await h.placeOrder(buyer);

      const declined = await h.pay(buyer, order.id, paymentMethodId).expect(402);
      expect(declined.body).toEqual({
        code: 'PAYMENT_DECLINED',
        message: expect.any(String),
        details: { declineCode },
      });
      await h.settled();
      const polled = await h.getPayment(buyer, order.id).expect(200);
      expect(polled.body).toMatchObject({
        status: 'failed',
        lastError: { code: 'card_declined', declineCode, message: declined.body.message },
      });
      expect(await h.orderRow(order.id)).toMatchObject({ status: 'awaiting_payment' });
      expect(await h.eventsFor('payment.succeeded', order.id)).toEqual([]);

      const retried = await h.pay(buyer, order.id, 'pm_card_visa').expect(200);
      expect(retried.body.id).toBe(polled.body.id);
      const row = await h.paymentReaches(order.id, 'succeeded');
      expect(row).toMatchObject({ attempts: 2, last_error: null });
      const [intent, ...others] = h.intentsFor(order.id);
      expect(others).toEqual([]);
      expect(intent).toMatchObject({ id: row.stripe_payment_intent_id, status: 'succeeded' });
      await h.settled();
      expect(await h.eventsFor('payment.succeeded', order.id)).toHaveLength(1);
    },
  );

  it('answers 409 CONFLICT to a server-side confirmation of a PaymentIntent the browser already paid, charging nothing more', async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.pay(buyer, order.id).expect(201);
    const [intent] = h.intentsFor(order.id);
    if (!intent) throw new Error('no PaymentIntent');

    // The webhook is late: Stripe has the money, we do not know it yet.
    h.sandbox.setWebhookUrl(undefined);
    try {
      await h.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
      const res = await h.pay(buyer, order.id, 'pm_card_chargeDeclined').expect(409);
      expect(res.body.code).toBe('CONFLICT');
      expect(await h.paymentRow(order.id)).toMatchObject({ status: 'requires_payment_method', attempts: 1 });
    } finally {
      h.sandbox.setWebhookUrl(h.webhookUrl);
    }

    const event = (
      h.sandbox.events() as { id: string; type: string; data: { object: { id: string } } }[]
    ).find((e) => e.type === 'payment_intent.succeeded' && e.data.object.id === intent.id);
    await h.sandbox.resend(event?.id ?? 'missing');
    await h.paymentReaches(order.id, 'succeeded');
    const succeeded = (h.sandbox.events() as { type: string; data: { object: { id: string } } }[]).filter(
      (e) => e.type === 'payment_intent.succeeded' && e.data.object.id === intent.id,
    );
    expect(succeeded).toHaveLength(1);
  });

  it("shows the buyer their order's payment to poll, and nobody else", async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.getPayment(buyer, order.id).expect(404);
    const created = await h.pay(buyer, order.id).expect(201);

    await h.getPayment(buyer, order.id).expect(200, created.body);
    const stranger = await h.getPayment(h.user(), order.id).expect(404);
    expect(stranger.body.code).toBe('NOT_FOUND');
  });
});

describe('bad payment requests', () => {
  it('answers 400 VALIDATION_FAILED for a malformed orderId, a missing body, a bad paymentMethodId or a client amount', async () => {
    const buyer = h.user();
    const malformed = await h.pay(buyer, 'not-a-uuid').expect(400);
    expect(malformed.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'body.orderId', message: expect.any(String) }],
    });

    const missing = await request(h.app)
      .post('/api/payments')
      .set('authorization', buyer.authorization)
      .expect(400);
    expect(missing.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body' }] });

    const order = await h.placeOrder(buyer);
    const badMethod = await h.pay(buyer, order.id, 'card_4242').expect(400);
    expect(badMethod.body.details).toEqual([{ path: 'body.paymentMethodId', message: expect.any(String) }]);

    const amount = await request(h.app)
      .post('/api/payments')
      .set('authorization', buyer.authorization)
      .send({ orderId: order.id, amount: 1 })
      .expect(400);
    expect(amount.body.code).toBe('VALIDATION_FAILED');
    expect(h.intentsFor(order.id)).toEqual([]);

    const malformedQuery = await h.getPayment(buyer, 'nope').expect(400);
    expect(malformedQuery.body.details).toEqual([{ path: 'query.orderId', message: expect.any(String) }]);
  });

  it("answers 404 for an unknown order and for another buyer's order, creating nothing", async () => {
    const owner = h.user();
    const order = await h.placeOrder(owner);

    const stranger = await h.pay(h.user(), order.id, 'pm_card_visa').expect(404);
    expect(stranger.body.code).toBe('NOT_FOUND');
    await h.pay(owner, randomUUID()).expect(404);

    expect(h.intentsFor(order.id)).toEqual([]);
    expect(await h.paymentRow(order.id)).toBeUndefined();
  });

  it('answers 401 NOT_AUTHENTICATED without a token', async () => {
    const order = await h.placeOrder(h.user());
    const res = await request(h.app).post('/api/payments').send({ orderId: order.id }).expect(401);
    expect(res.body.code).toBe('NOT_AUTHENTICATED');
    await request(h.app).get(`/api/payments?orderId=${order.id}`).expect(401);
  });

  it('answers 409 ORDER_NOT_PAYABLE for a cancelled order and for one whose reservation expired', async () => {
    const buyer = h.user();
    const cancelled = await h.placeOrder(buyer);
    await h.cancelOrder(cancelled);
    const expired = await h.placeOrder(buyer, { expiresAt: new Date(Date.now() - 1000).toISOString() });

    for (const order of [cancelled, expired]) {
      const res = await h.pay(buyer, order.id, 'pm_card_visa').expect(409);
      expect(res.body.code).toBe('ORDER_NOT_PAYABLE');
      expect(h.intentsFor(order.id)).toEqual([]);
      expect(await h.paymentRow(order.id)).toBeUndefined();
    }
  });

  it('answers 415 for a body that is not JSON', async () => {
    const buyer = h.user();
    const res = await request(h.app)
      .post('/api/payments')
      .set('authorization', buyer.authorization)
      .set('content-type', 'text/plain')
      .send(`orderId=${randomUUID()}`)
      .expect(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
