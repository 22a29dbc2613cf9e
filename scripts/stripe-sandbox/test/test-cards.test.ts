import Stripe from 'stripe';
import type { StripeSandbox } from '@glotixz/stripe-sandbox';
import {
  WEBHOOK_SECRET,
  intentParams,
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

const nextYear = new Date().getUTCFullYear() + 1;

function cardMethod(number: string, card: Partial<Stripe.PaymentMethodCreateParams.Card> = {}) {
  return stripe.paymentMethods.create({
    type: 'card',
    card: { number, exp_month: 12, exp_year: nextYear, cvc: '123', ...card },
  });
}

/** Confirms a fresh PaymentIntent with the payment method and answers the SDK's error. */
async function declineOf(
  paymentMethod: string,
): Promise<{ intentId: string; error: Stripe.errors.StripeError }> {
  const intent = await stripe.paymentIntents.create(intentParams());
  const error = await rejectionOf(
    stripe.paymentIntents.confirm(intent.id, { payment_method: paymentMethod }),
  );
  return { intentId: intent.id, error };
}

describe('test PaymentMethod ids', () => {
  it.each([
    ['pm_card_visa', 'visa', '4242'],
    ['pm_card_visa_debit', 'visa', '5556'],
    ['pm_card_mastercard', 'mastercard', '4444'],
    ['pm_card_amex', 'amex', '0005'],
  ])('%s pays', async (paymentMethod, brand, last4) => {
    const intent = await stripe.paymentIntents.create(intentParams());
    const paid = await stripe.paymentIntents.confirm(intent.id, {
      payment_method: paymentMethod,
      expand: ['payment_method'],
    });
    expect(paid.status).toBe('succeeded');
    expect((paid.payment_method as Stripe.PaymentMethod).card).toMatchObject({ brand, last4 });
  });

  it.each([
    ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.'],
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline', 'Your card was declined.'],
    [
      'pm_card_visa_chargeDeclinedInsufficientFunds',
      'card_declined',
      'insufficient_funds',
      'Your card has insufficient funds.',
    ],
    [
      'pm_card_chargeDeclinedInsufficientFunds',
      'card_declined',
      'insufficient_funds',
      'Your card has insufficient funds.',
    ],
    ['pm_card_visa_chargeDeclinedLostCard', 'card_declined', 'lost_card', 'Your card was declined.'],
    ['pm_card_visa_chargeDeclinedStolenCard', 'card_declined', 'stolen_card', 'Your card was declined.'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card', 'Your card has expired.'],
    [
      'pm_card_chargeDeclinedIncorrectCvc',
      'incorrect_cvc',
      'incorrect_cvc',
      "Your card's security code is incorrect.",
    ],
    ['pm_card_chargeDeclinedProcessingError', 'processing_error', 'processing_error', expect.any(String)],
  ])('%s is declined with 402 %s / %s', async (paymentMethod, code, declineCode, message) => {
    const { intentId, error } = await declineOf(paymentMethod);

    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({
      statusCode: 402,
      rawType: 'card_error',
      code,
      decline_code: declineCode,
      message,
    });
    expect(error.charge).toMatch(/^ch_/);
    expect(error.payment_intent).toMatchObject({
      id: intentId,
      status: 'requires_payment_method',
      payment_method: null,
      latest_charge: error.charge,
      last_payment_error: { type: 'card_error', code, decline_code: declineCode, charge: error.charge },
    });
    expect(error.payment_method).toMatchObject({ object: 'payment_method', type: 'card' });

    const intent = await stripe.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] });
    expect(intent).toMatchObject({ status: 'requires_payment_method', amount_received: 0 });
    expect(intent.latest_charge).toMatchObject({ status: 'failed', paid: false, failure_code: code });
  });

  it('lets the buyer try another card on the same PaymentIntent after a decline', async () => {
    const { intentId } = await declineOf('pm_card_visa_chargeDeclined');
    const paid = await stripe.paymentIntents.confirm(intentId, { payment_method: 'pm_card_visa' });
    expect(paid).toMatchObject({ id: intentId, status: 'succeeded', last_payment_error: null });
  });

  it('sends payment_intent.payment_failed with the decline', async () => {
    const { intentId } = await declineOf('pm_card_visa_chargeDeclinedInsufficientFunds');
    await sandbox.webhooksIdle();
    const webhook = receiver
      .ofType('payment_intent.payment_failed')
      .find(({ event }) => event.data.object.id === intentId);
    expect(webhook).toBeDefined();
    const event = stripe.webhooks.constructEvent(
      webhook!.rawBody,
      webhook!.headers['stripe-signature'] as string,
      WEBHOOK_SECRET,
    );
    expect(event.data.object).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' },
    });
  });
});

describe('card numbers through POST /v1/payment_methods', () => {
  it('creates a card PaymentMethod shaped like Stripe’s, retrievable by id', async () => {
    const method = await cardMethod('4242 4242 4242 4242', { exp_month: 4 });
    expect(method).toMatchObject({
      object: 'payment_method',
      type: 'card',
      livemode: false,
      card: { brand: 'visa', last4: '4242', exp_month: 4, exp_year: nextYear, funding: 'credit' },
    });
    expect(method.id).toMatch(/^pm_/);
    expect(JSON.stringify(method)).not.toContain('4242424242424242');
    expect({ ...(await stripe.paymentMethods.retrieve(method.id)) }).toEqual({ ...method });
  });

  it.each([
    ['4242424242424242', 'success'],
    ['5555555555554444', 'success'],
    ['4000000000000002', 'generic_decline'],
    ['4000000000009995', 'insufficient_funds'],
    ['4000000000009987', 'lost_card'],
    ['4000000000000069', 'expired_card'],
  ])('card %s → %s', async (number, declineCode) => {
    const method = await cardMethod(number);
    const intent = await stripe.paymentIntents.create(intentParams());
    const outcome = stripe.paymentIntents.confirm(intent.id, { payment_method: method.id });
    if (declineCode === 'success') {
      await expect(outcome).resolves.toMatchObject({ status: 'succeeded', payment_method: method.id });
    } else {
      const error = await rejectionOf(outcome);
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error.decline_code).toBe(declineCode);
      expect(error.payment_intent?.last_payment_error?.payment_method?.id).toBe(method.id);
    }
  });

  it('declines a valid number that is not a test card, as test mode does', async () => {
    const method = await cardMethod('4111111111111111');
    const { error } = await declineOf(method.id);
    expect(error).toMatchObject({
      statusCode: 402,
      code: 'card_declined',
      decline_code: 'test_mode_live_card',
    });
  });

  it.each([
    ['a number failing the Luhn check', 'incorrect_number', { number: '4242424242424241' }],
    ['a number with letters', 'invalid_number', { number: '4242abcd42424242' }],
    ['month 13', 'invalid_expiry_month', { exp_month: 13 }],
    ['an expired year', 'invalid_expiry_year', { exp_year: 2001 }],
    ['a 2-digit cvc', 'invalid_cvc', { cvc: '12' }],
  ])('refuses %s with 402 card_error %s', async (_what, code, card) => {
    const error = await rejectionOf(cardMethod('4242424242424242', card));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ statusCode: 402, rawType: 'card_error', code });
  });

  it('refuses a PaymentMethod type other than card, and a missing card number', async () => {
    const wrongType = await rejectionOf(
      stripe.paymentMethods.create({ type: 'sepa_debit', sepa_debit: { iban: 'DE89370400440532013000' } }),
    );
    expect(wrongType).toMatchObject({ statusCode: 400 });
    const noNumber = await rejectionOf(
      stripe.paymentMethods.create({ type: 'card', card: { exp_month: 1, exp_year: nextYear } }),
    );
    expect(noNumber).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'card[number]' });
  });

  it('answers 404 for an unknown PaymentMethod', async () => {
    const error = await rejectionOf(stripe.paymentMethods.retrieve('pm_unknown'));
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});
