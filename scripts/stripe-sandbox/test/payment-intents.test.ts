import Stripe from 'stripe';
import type { StripeSandbox } from '@glotixz/stripe-sandbox';
import {
  SECRET_KEY,
  WEBHOOK_SECRET,
  eventsOf,
  intentParams,
  objectOf,
  rawRequest,
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

describe('creating and retrieving a PaymentIntent', () => {
  it('answers a PaymentIntent shaped like Stripe’s and retrieves the same one', async () => {
    const before = Math.floor(Date.now() / 1000);
    const created = await stripe.paymentIntents.create(
      intentParams({ currency: 'EUR', description: 'Ticket', metadata: { orderId: 'o-1', userId: 'u-1' } }),
    );

    expect(created).toMatchObject({
      object: 'payment_intent',
      amount: 2500,
      amount_received: 0,
      currency: 'eur',
      description: 'Ticket',
      status: 'requires_payment_method',
      livemode: false,
      metadata: { orderId: 'o-1', userId: 'u-1' },
      automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
      payment_method_types: ['card'],
      latest_charge: null,
      last_payment_error: null,
      capture_method: 'automatic_async',
    });
    expect(created.id).toMatch(/^pi_[0-9A-Za-z]{24}$/);
    expect(created.client_secret).toMatch(new RegExp(`^${created.id}_secret_[0-9A-Za-z]{25}$`));
    expect(created.created).toBeGreaterThanOrEqual(before);
    expect(created.lastResponse.requestId).toMatch(/^req_/);

    const retrieved = await stripe.paymentIntents.retrieve(created.id);
    expect({ ...retrieved }).toEqual({ ...created });
  });

  it('turns automatic payment methods on when neither they nor payment_method_types are given', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 100, currency: 'usd' });
    expect(intent.automatic_payment_methods).toEqual({ enabled: true, allow_redirects: 'always' });
  });

  it('takes allowed_payment_method_types (current API) instead of automatic payment methods', async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 1200,
      currency: 'usd',
      allowed_payment_method_types: ['card'],
    });
    expect(intent).toMatchObject({
      allowed_payment_method_types: ['card'],
      payment_method_types: ['card'],
      automatic_payment_methods: null,
    });
    const paid = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    expect(paid.status).toBe('succeeded');
  });

  it('answers 404 resource_missing for an unknown PaymentIntent', async () => {
    const error = await rejectionOf(stripe.paymentIntents.retrieve('pi_doesnotexist'));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'intent',
      message: "No such payment_intent: 'pi_doesnotexist'",
    });
  });

  it.each([
    ['a missing amount', 'parameter_missing', { amount: undefined }, 'amount'],
    ['a zero amount', 'parameter_invalid_integer', { amount: 0 }, 'amount'],
    ['a fractional amount', 'parameter_invalid_integer', { amount: 12.5 }, 'amount'],
    ['an amount above 99999999', 'amount_too_large', { amount: 100_000_000 }, 'amount'],
    ['a missing currency', 'parameter_missing', { currency: undefined }, 'currency'],
    ['an unknown parameter', 'parameter_unknown', { unknown_thing: 'x' }, 'unknown_thing'],
    [
      'payment_method_types beside automatic payment methods',
      'parameters_exclusive',
      { payment_method_types: ['card'] },
      'automatic_payment_methods',
    ],
    [
      'a payment method type other than card',
      'payment_intent_invalid_parameter',
      { automatic_payment_methods: undefined, payment_method_types: ['ideal'] },
      'payment_method_types',
    ],
  ])('refuses %s with 400 %s and creates nothing', async (_what, code, overrides, param) => {
    const count = sandbox.paymentIntents().length;
    const params = { ...intentParams(), ...overrides } as Stripe.PaymentIntentCreateParams;
    const error = await rejectionOf(stripe.paymentIntents.create(params));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code, param });
    expect(sandbox.paymentIntents()).toHaveLength(count);
  });

  it('refuses a currency that is not ISO 4217', async () => {
    const error = await rejectionOf(stripe.paymentIntents.create(intentParams({ currency: 'xyz' })));
    expect(error).toMatchObject({ statusCode: 400, param: 'currency' });
    expect(error.message).toContain('Invalid currency: xyz');
  });

  it.each([
    [
      '100,000,000 cents',
      100_000_000,
      'usd',
      'amount_too_large',
      'Amount must be no more than $999,999.99 usd',
    ],
    [
      '100,000,000 yen',
      100_000_000,
      'jpy',
      'amount_too_large',
      'Amount must be no more than ¥99,999,999 jpy',
    ],
    ['49 cents', 49, 'usd', 'amount_too_small', 'Amount must be at least $0.50 usd'],
    ['29 pence', 29, 'gbp', 'amount_too_small', 'Amount must be at least £0.30 gbp'],
    ['49 yen', 49, 'jpy', 'amount_too_small', 'Amount must be at least ¥50 jpy'],
  ])(
    'refuses %s as Stripe does: 400 invalid_request_error %s on amount',
    async (_what, amount, currency, code, message) => {
      const count = sandbox.paymentIntents().length;
      const error = await rejectionOf(stripe.paymentIntents.create(intentParams({ amount, currency })));
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({
        statusCode: 400,
        type: 'StripeInvalidRequestError',
        code,
        param: 'amount',
        message,
      });
      expect(sandbox.paymentIntents()).toHaveLength(count);
    },
  );

  it.each([
    [50, 'usd'],
    [30, 'gbp'],
    [99_999_999, 'jpy'],
  ])('accepts %i minor units of %s, within Stripe limits', async (amount, currency) => {
    await expect(stripe.paymentIntents.create(intentParams({ amount, currency }))).resolves.toMatchObject({
      amount,
      currency,
    });
  });

  it('names nested parameters the way Stripe does', async () => {
    const error = await rejectionOf(
      stripe.paymentIntents.create(
        intentParams({ automatic_payment_methods: { enabled: 'maybe' as unknown as boolean } }),
      ),
    );
    expect(error).toMatchObject({ statusCode: 400, param: 'automatic_payment_methods[enabled]' });
  });
});

describe('updating a PaymentIntent', () => {
  it('merges metadata, deletes keys set to an empty string and sets the description', async () => {
    const intent = await stripe.paymentIntents.create(
      intentParams({ metadata: { orderId: 'o-2', keep: 'yes' } }),
    );
    const updated = await stripe.paymentIntents.update(intent.id, {
      metadata: { keep: '', attempt: '2' },
      description: 'Second try',
    });
    expect(updated.metadata).toEqual({ orderId: 'o-2', attempt: '2' });
    expect(updated.description).toBe('Second try');
    expect((await stripe.paymentIntents.retrieve(intent.id)).metadata).toEqual({
      orderId: 'o-2',
      attempt: '2',
    });
  });
});

describe('confirming a PaymentIntent', () => {
  it('succeeds with pm_card_visa and sends payment_intent.succeeded, verifiable with the SDK', async () => {
    const intent = await stripe.paymentIntents.create(intentParams({ metadata: { orderId: 'o-3' } }));
    const confirmed = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });

    expect(confirmed).toMatchObject({ status: 'succeeded', amount_received: 2500, last_payment_error: null });
    expect(confirmed.latest_charge).toMatch(/^ch_/);
    expect(confirmed.payment_method).toMatch(/^pm_/);
    expect(confirmed.payment_method).not.toBe('pm_card_visa');

    await sandbox.webhooksIdle();
    const [webhook] = receiver
      .ofType('payment_intent.succeeded')
      .filter(({ event }) => event.data.object.id === intent.id);
    expect(webhook).toBeDefined();
    const event = stripe.webhooks.constructEvent(
      webhook!.rawBody,
      webhook!.headers['stripe-signature'] as string,
      WEBHOOK_SECRET,
    );
    expect(event).toMatchObject({
      object: 'event',
      type: 'payment_intent.succeeded',
      livemode: false,
      api_version: expect.any(String),
      pending_webhooks: 1,
      request: {
        id: confirmed.lastResponse.requestId,
        idempotency_key: expect.stringMatching(/^stripe-node-retry-/),
      },
      data: {
        object: { id: intent.id, status: 'succeeded', metadata: { orderId: 'o-3' }, amount_received: 2500 },
      },
    });
    expect(event.id).toMatch(/^evt_/);
  });

  it('creates and confirms in one call with confirm=true, and expands the charge on request', async () => {
    const intent = await stripe.paymentIntents.create(
      intentParams({ payment_method: 'pm_card_mastercard', confirm: true, expand: ['latest_charge'] }),
    );
    expect(intent.status).toBe('succeeded');
    const charge = intent.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 2500,
      paid: true,
      status: 'succeeded',
      payment_intent: intent.id,
      payment_method_details: { type: 'card', card: { brand: 'mastercard', last4: '4444' } },
    });
  });

  it('waits for confirmation when a payment method is given without confirm', async () => {
    const intent = await stripe.paymentIntents.create(intentParams({ payment_method: 'pm_card_visa' }));
    expect(intent.status).toBe('requires_confirmation');
    const confirmed = await stripe.paymentIntents.confirm(intent.id);
    expect(confirmed.status).toBe('succeeded');
  });

  it('refuses to confirm a succeeded PaymentIntent again and charges nothing more', async () => {
    const intent = await stripe.paymentIntents.create(intentParams());
    const first = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' });
    const error = await rejectionOf(
      stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
    );

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    expect(error.payment_intent).toMatchObject({ id: intent.id, status: 'succeeded' });
    const after = await stripe.paymentIntents.retrieve(intent.id);
    expect(after.latest_charge).toBe(first.latest_charge);
    const succeeded = eventsOf(sandbox).filter(
      (event) => event.type === 'payment_intent.succeeded' && objectOf(event).id === intent.id,
    );
    expect(succeeded).toHaveLength(1);
  });

  it('refuses to confirm without a payment method', async () => {
    const intent = await stripe.paymentIntents.create(intentParams());
    const error = await rejectionOf(stripe.paymentIntents.confirm(intent.id));
    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });

  it('refuses an unknown payment method with 400 resource_missing', async () => {
    const intent = await stripe.paymentIntents.create(intentParams());
    const error = await rejectionOf(stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_a' }));
    expect(error).toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      param: 'payment_method',
      message: "No such PaymentMethod: 'pm_a'",
    });
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('requires_payment_method');
  });

  it('requires a return_url while redirect-based payment methods are allowed, as Stripe does', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    const error = await rejectionOf(
      stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
    );
    expect(error).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    expect(error.message).toContain('A `return_url` must be specified');
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('requires_payment_method');

    const confirmed = await stripe.paymentIntents.confirm(intent.id, {
      payment_method: 'pm_card_visa',
      return_url: 'http://localhost:3000/orders/1',
    });
    expect(confirmed.status).toBe('succeeded');
  });
});

describe('canceling a PaymentIntent', () => {
  it('cancels an unpaid PaymentIntent, sends payment_intent.canceled and refuses to confirm it', async () => {
    const intent = await stripe.paymentIntents.create(intentParams());
    const canceled = await stripe.paymentIntents.cancel(intent.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    expect(canceled.canceled_at).toEqual(expect.any(Number));

    const error = await rejectionOf(
      stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' }),
    );
    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });

    await sandbox.webhooksIdle();
    const webhooks = receiver
      .ofType('payment_intent.canceled')
      .filter(({ event }) => event.data.object.id === intent.id);
    expect(webhooks).toHaveLength(1);
  });

  it('refuses to cancel a succeeded PaymentIntent', async () => {
    const intent = await stripe.paymentIntents.create(
      intentParams({ payment_method: 'pm_card_visa', confirm: true }),
    );
    const error = await rejectionOf(stripe.paymentIntents.cancel(intent.id));
    expect(error).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('succeeded');
  });
});

describe('authentication and routing', () => {
  it('answers 401 with Stripe’s error shape without an API key', async () => {
    const response = await rawRequest(sandbox, 'GET', '/v1/payment_intents/pi_x', { key: null });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining('You did not provide an API key'),
      },
    });
  });

  it.each(['sk_live_x', 'pk_test_123456789', 'not-a-key'])('answers 401 to the key %s', async (key) => {
    const error = await rejectionOf(stripeFor(sandbox, key).paymentIntents.create(intentParams()));
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error.statusCode).toBe(401);
    expect(error.message).toMatch(/^Invalid API Key provided: /);
    if (key.length > 12) expect(error.message).not.toContain(key);
  });

  it('accepts Basic auth with the key as user name, as curl -u sends it', async () => {
    const basic = Buffer.from(`${SECRET_KEY}:`).toString('base64');
    const response = await rawRequest(sandbox, 'POST', '/v1/payment_intents', {
      key: null,
      headers: { authorization: `Basic ${basic}` },
      body: 'amount=700&currency=usd',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ object: 'payment_intent', amount: 700 });
  });

  it('accepts only the configured secret key when one is pinned', async () => {
    const pinned = await startTestSandbox({ secretKey: 'sk_test_pinned' });
    try {
      await expect(
        stripeFor(pinned, 'sk_test_pinned').paymentIntents.create(intentParams()),
      ).resolves.toBeDefined();
      const error = await rejectionOf(
        stripeFor(pinned, 'sk_test_other').paymentIntents.create(intentParams()),
      );
      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    } finally {
      await pinned.close();
    }
  });

  it('answers an unknown URL with Stripe’s 404', async () => {
    const response = await rawRequest(sandbox, 'GET', '/v1/customers');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining('Unrecognized request URL (GET: /v1/customers)'),
    });
  });

  it('serves /healthz and /readyz without a key', async () => {
    const health = await fetch(`${sandbox.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${sandbox.url}/readyz`)).status).toBe(200);
  });
});
