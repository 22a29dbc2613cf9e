import Stripe from 'stripe';
import type { StripeSandbox } from '@glotixz/stripe-sandbox';
import {
  WEBHOOK_SECRET,
  intentParams,
  refundsOf,
  rejectionOf,
  startTestSandbox,
  startWebhookReceiver,
  stripeFor,
  type WebhookReceiver,
} from './harness';

let sandbox: StripeSandbox;
let receiver: WebhookReceiver;
let stripe: Stripe;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  sandbox = await startTestSandbox({ webhookUrl: receiver.url });
  stripe = stripeFor(sandbox);
});

afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

async function paidIntent(amount = 2500): Promise<Stripe.PaymentIntent> {
  return stripe.paymentIntents.create(
    intentParams({ amount, payment_method: 'pm_card_visa', confirm: true }),
  );
}

describe('refunds', () => {
  it('refunds the whole payment by default and sends charge.refunded and refund.created', async () => {
    const intent = await paidIntent();
    const refund = await stripe.refunds.create({
      payment_intent: intent.id,
      reason: 'requested_by_customer',
      metadata: { orderId: 'o-r1' },
    });

    expect(refund).toMatchObject({
      object: 'refund',
      amount: 2500,
      currency: 'usd',
      status: 'succeeded',
      payment_intent: intent.id,
      charge: intent.latest_charge,
      reason: 'requested_by_customer',
      metadata: { orderId: 'o-r1' },
    });
    expect(refund.id).toMatch(/^re_/);
    expect({ ...(await stripe.refunds.retrieve(refund.id)) }).toEqual({ ...refund });
    expect(await stripe.charges.retrieve(intent.latest_charge as string)).toMatchObject({
      amount_refunded: 2500,
      refunded: true,
    });

    await sandbox.webhooksIdle();
    const chargeRefunded = receiver
      .ofType('charge.refunded')
      .find(({ event }) => event.data.object.payment_intent === intent.id);
    const refundCreated = receiver
      .ofType('refund.created')
      .find(({ event }) => event.data.object.id === refund.id);
    expect(chargeRefunded?.event.data.object).toMatchObject({ amount_refunded: 2500, refunded: true });
    expect(refundCreated).toBeDefined();
    for (const webhook of [chargeRefunded!, refundCreated!]) {
      expect(() =>
        stripe.webhooks.constructEvent(
          webhook.rawBody,
          webhook.headers['stripe-signature'] as string,
          WEBHOOK_SECRET,
        ),
      ).not.toThrow();
    }
  });

  it('refunds in parts, refuses more than what is left, and then refuses any further refund', async () => {
    const intent = await paidIntent(1000);
    await stripe.refunds.create({ payment_intent: intent.id, amount: 300 });
    await stripe.refunds.create({ payment_intent: intent.id, amount: 500 });

    const over = await rejectionOf(stripe.refunds.create({ payment_intent: intent.id, amount: 201 }));
    expect(over).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(over).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    expect(over.message).toBe('Refund amount ($2.01) is greater than unrefunded amount on charge ($2.00)');

    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    expect(rest.amount).toBe(200);
    const again = await rejectionOf(stripe.refunds.create({ payment_intent: intent.id, amount: 1 }));
    expect(again).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });

    const refunded = refundsOf(sandbox).filter((refund) => refund.payment_intent === intent.id);
    expect(refunded.map((refund) => refund.amount)).toEqual([300, 500, 200]);
  });

  it('refuses to refund a PaymentIntent that was not paid', async () => {
    const unpaid = await stripe.paymentIntents.create(intentParams());
    const error = await rejectionOf(stripe.refunds.create({ payment_intent: unpaid.id }));
    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });

    await rejectionOf(stripe.paymentIntents.confirm(unpaid.id, { payment_method: 'pm_card_chargeDeclined' }));
    const declined = await rejectionOf(stripe.refunds.create({ payment_intent: unpaid.id }));
    expect(declined).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });

    const canceled = await stripe.paymentIntents.create(intentParams());
    await stripe.paymentIntents.cancel(canceled.id);
    const afterCancel = await rejectionOf(stripe.refunds.create({ payment_intent: canceled.id }));
    expect(afterCancel).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });

    expect(
      refundsOf(sandbox).some((refund) => [unpaid.id, canceled.id].includes(refund.payment_intent as string)),
    ).toBe(false);
  });

  it('refunds by charge id too', async () => {
    const intent = await paidIntent(700);
    const refund = await stripe.refunds.create({ charge: intent.latest_charge as string, amount: 700 });
    expect(refund).toMatchObject({ amount: 700, payment_intent: intent.id });
  });

  it.each([
    ['an unknown PaymentIntent', { payment_intent: 'pi_unknown' }, 'resource_missing'],
    ['neither payment_intent nor charge', {}, 'parameter_missing'],
    ['a zero amount', { payment_intent: 'pi_any', amount: 0 }, 'parameter_invalid_integer'],
    ['an unknown reason', { payment_intent: 'pi_any', reason: 'changed_my_mind' }, undefined],
  ])('refuses %s with 400', async (_what, params, code) => {
    const error = await rejectionOf(stripe.refunds.create(params));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe(code);
  });

  it('answers 404 for an unknown refund', async () => {
    const error = await rejectionOf(stripe.refunds.retrieve('re_unknown'));
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('replays a refund for the same idempotency key instead of refunding twice', async () => {
    const intent = await paidIntent(800);
    const params = { payment_intent: intent.id, metadata: { paymentId: 'p-1' } };
    const first = await stripe.refunds.create(params, { idempotencyKey: 'refund-p-1' });
    const again = await stripe.refunds.create(params, { idempotencyKey: 'refund-p-1' });
    expect(again.id).toBe(first.id);
    expect(refundsOf(sandbox).filter((refund) => refund.payment_intent === intent.id)).toHaveLength(1);
  });
});
