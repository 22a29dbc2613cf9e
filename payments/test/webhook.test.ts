import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import { useHarness } from '@glotixz/common/testing';
import { startPaymentsHarness, type TestUser } from './payments-harness';

const h = useHarness(startPaymentsHarness);

type SandboxEvent = { id: string; type: string; data: { object: { id: string } } };

/** An Event as Stripe would send it, for a PaymentIntent in the state `intent` describes. */
function intentEvent(
  type: 'payment_intent.succeeded' | 'payment_intent.payment_failed',
  intent: Stripe.PaymentIntent,
): string {
  const object =
    type === 'payment_intent.succeeded'
      ? { ...intent, status: 'succeeded', amount_received: intent.amount, last_payment_error: null }
      : {
          ...intent,
          status: 'requires_payment_method',
          last_payment_error: {
            type: 'card_error',
            code: 'card_declined',
            decline_code: 'generic_decline',
            message: 'Your card was declined.',
          },
        };
  return JSON.stringify({
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  });
}

/** An order of `buyer` with a PaymentIntent nobody has confirmed yet. */
async function unpaidIntent(buyer: TestUser): Promise<{ orderId: string; intent: Stripe.PaymentIntent }> {
  const order = await h.placeOrder(buyer);
  await h.pay(buyer, order.id).expect(201);
  const [intent] = h.intentsFor(order.id);
  if (!intent) throw new Error('no PaymentIntent');
  return { orderId: order.id, intent };
}

/** An order paid by card through the API, with the sandbox's succeeded event. */
async function paidOrder(): Promise<{ orderId: string; event: SandboxEvent }> {
  const buyer = h.user();
  const order = await h.placeOrder(buyer);
  await h.pay(buyer, order.id, 'pm_card_visa').expect(201);
  const row = await h.paymentReaches(order.id, 'succeeded');
  await h.settled();
  const event = (h.sandbox.events() as SandboxEvent[]).find(
    (e) => e.type === 'payment_intent.succeeded' && e.data.object.id === row.stripe_payment_intent_id,
  );
  if (!event) throw new Error('no succeeded event');
  return { orderId: order.id, event };
}

describe('the Stripe webhook', () => {
  it('handles a succeeded event once, however often Stripe resends it or it is replayed', async () => {
    const { orderId, event } = await paidOrder();
    const before = await h.paymentRow(orderId);
    const seen = await h.count('stripe_events');
    const succeededCount = await h.counter('payments_succeeded_total');

    for (let i = 0; i < 5; i += 1) await h.sandbox.resend(event.id);
    const payload = JSON.stringify(event, null, 2);
    for (let i = 0; i < 5; i += 1) {
      await h.postWebhook(payload).expect(200, { received: true, duplicate: true });
    }

    const deliveries = h.sandbox.deliveries().filter((d) => d.eventId === event.id);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await h.paymentRow(orderId)).toEqual(before);
    expect(await h.count('stripe_events')).toBe(seen);
    expect(await h.counter('payments_succeeded_total')).toBe(succeededCount);
    await h.settled();
    expect(await h.eventsFor('payment.succeeded', orderId)).toHaveLength(1);
  });

  it('handles the same event delivered five times at once exactly once', async () => {
    const buyer = h.user();
    const { orderId, intent } = await unpaidIntent(buyer);
    const payload = intentEvent('payment_intent.succeeded', intent);

    const answers = await Promise.all(Array.from({ length: 5 }, () => h.postWebhook(payload).expect(200)));

    expect(answers.map((res) => res.body.duplicate).sort()).toEqual([false, true, true, true, true]);
    expect(await h.paymentRow(orderId)).toMatchObject({ status: 'succeeded' });
    await h.settled();
    expect(await h.eventsFor('payment.succeeded', orderId)).toHaveLength(1);
  });

  it('never moves a succeeded payment back: a payment_failed arriving after success is acknowledged and ignored', async () => {
    const { orderId } = await paidOrder();
    const [intent] = h.intentsFor(orderId);
    if (!intent) throw new Error('no PaymentIntent');
    const before = await h.paymentRow(orderId);

    await h.postWebhook(intentEvent('payment_intent.payment_failed', intent)).expect(200, {
      received: true,
      duplicate: false,
    });

    expect(await h.paymentRow(orderId)).toEqual(before);
    expect(before).toMatchObject({ status: 'succeeded', last_error: null });
  });

  it('records a decline from a browser confirmation, then the success of the next card', async () => {
    const buyer = h.user();
    const { orderId, intent } = await unpaidIntent(buyer);

    await expect(
      h.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_chargeDeclined' }),
    ).rejects.toMatchObject({ type: 'StripeCardError', decline_code: 'generic_decline' });
    await h.paymentReaches(orderId, 'failed');
    const polled = await h.getPayment(buyer, orderId).expect(200);
    expect(polled.body.lastError).toEqual({
      code: 'card_declined',
      declineCode: 'generic_decline',
      message: expect.any(String),
    });

    await h.stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    await h.paymentReaches(orderId, 'succeeded');
    await h.settled();
    expect(await h.eventsFor('payment.succeeded', orderId)).toHaveLength(1);
  });

  it('answers 400 INVALID_SIGNATURE to a forged, tampered, unsigned or 6-minute-old event and changes nothing', async () => {
    const buyer = h.user();
    const { orderId, intent } = await unpaidIntent(buyer);
    const payload = intentEvent('payment_intent.succeeded', intent);
    const seen = await h.count('stripe_events');

    const forged = await h.postWebhook(payload, { secret: 'whsec_not_ours' }).expect(400);
    expect(forged.body.code).toBe('INVALID_SIGNATURE');
    const stale = await h
      .postWebhook(payload, { timestamp: Math.floor(Date.now() / 1000) - 360 })
      .expect(400);
    expect(stale.body.code).toBe('INVALID_SIGNATURE');
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: h.config.STRIPE_WEBHOOK_SECRET,
    });
    const tampered = await request(h.app)
      .post('/api/payments/webhook')
      .set('content-type', 'application/json')
      .set('stripe-signature', signature)
      .send(payload.replace('"livemode":false', '"livemode":true'))
      .expect(400);
    expect(tampered.body.code).toBe('INVALID_SIGNATURE');
    const unsigned = await request(h.app)
      .post('/api/payments/webhook')
      .set('content-type', 'application/json')
      .send(payload)
      .expect(400);
    expect(unsigned.body.code).toBe('INVALID_SIGNATURE');

    expect(await h.paymentRow(orderId)).toMatchObject({ status: 'requires_payment_method' });
    expect(await h.count('stripe_events')).toBe(seen);

    // The same event, signed 4 minutes ago with the right secret, is within Stripe's tolerance.
    await h.postWebhook(payload, { timestamp: Math.floor(Date.now() / 1000) - 240 }).expect(200);
    expect(await h.paymentRow(orderId)).toMatchObject({ status: 'succeeded' });
  });

  it('acknowledges events for PaymentIntents that are not ours and event types it does not handle', async () => {
    const buyer = h.user();
    const { intent } = await unpaidIntent(buyer);
    const seen = await h.count('stripe_events');
    const foreign = intentEvent('payment_intent.succeeded', { ...intent, id: 'pi_not_ours' });

    await h.postWebhook(foreign).expect(200, { received: true, duplicate: false });
    const other = JSON.stringify({ ...JSON.parse(foreign), type: 'customer.created' });
    await h.postWebhook(other).expect(200, { received: true, duplicate: false });

    // The foreign event is remembered (handled once); the unhandled type is not.
    expect(await h.count('stripe_events')).toBe(seen + 1);
    await h.settled();
    expect(await h.count('outbox')).toBe(0);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const res = await request(h.app)
      .post('/api/payments/webhook')
      .set('content-type', 'text/plain')
      .set('stripe-signature', 't=1,v1=abc')
      .send('hello')
      .expect(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});
