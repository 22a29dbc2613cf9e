import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import type { StripeSandbox } from '@glotixz/stripe-sandbox';
import {
  SECRET_KEY,
  eventsOf,
  intentParams,
  intentsOf,
  objectOf,
  rejectionOf,
  startTestSandbox,
  startWebhookReceiver,
  stripeFor,
  type JsonObject,
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

const intentsFor = (orderId: string) =>
  intentsOf(sandbox).filter((intent) => intent.metadata.orderId === orderId);

const eventsFor = (type: string, intentId: string) =>
  eventsOf(sandbox).filter((event) => event.type === type && objectOf(event).id === intentId);

/**
 * Starts a POST whose body is only half sent, so the request stays in flight until `finish`.
 * Resolves once the sandbox has had time to see its headers.
 */
async function startHeldRequest(path: string, key: string, body: string) {
  const req = request(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SECRET_KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(body),
      'idempotency-key': key,
    },
  });
  const response = new Promise<{ status: number; body: JsonObject }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as JsonObject }));
    });
  });
  await new Promise<void>((resolve) => req.write(body.slice(0, 4), () => resolve()));
  await sleep(100);
  return {
    finish: () => {
      req.end(body.slice(4));
      return response;
    },
  };
}

describe('idempotency keys', () => {
  it('replays the saved response for the same key and parameters, creating nothing more', async () => {
    const params = intentParams({ metadata: { orderId: 'idem-replay' } });
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'pi-idem-replay' });
    const again = await stripe.paymentIntents.create(params, { idempotencyKey: 'pi-idem-replay' });

    expect(again.id).toBe(first.id);
    expect({ ...again }).toEqual({ ...first });
    const headers = (again.lastResponse as unknown as { headers: Record<string, string> }).headers;
    expect(headers['idempotent-replayed']).toBe('true');
    expect(headers['original-request']).toBe(first.lastResponse.requestId);
    expect(again.lastResponse.requestId).not.toBe(first.lastResponse.requestId);
    expect(intentsFor('idem-replay')).toHaveLength(1);
  });

  it('replays the response as it was, even after the object changed', async () => {
    const params = intentParams({ metadata: { orderId: 'idem-snapshot' } });
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'pi-idem-snapshot' });
    await stripe.paymentIntents.confirm(first.id, { payment_method: 'pm_card_visa' });
    const again = await stripe.paymentIntents.create(params, { idempotencyKey: 'pi-idem-snapshot' });
    expect(again.status).toBe('requires_payment_method');
  });

  it('refuses the key with other parameters: StripeIdempotencyError', async () => {
    await stripe.paymentIntents.create(intentParams({ metadata: { orderId: 'idem-other' } }), {
      idempotencyKey: 'pi-idem-other',
    });
    const error = await rejectionOf(
      stripe.paymentIntents.create(intentParams({ amount: 9999, metadata: { orderId: 'idem-other' } }), {
        idempotencyKey: 'pi-idem-other',
      }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
    expect(error.message).toContain('same parameters');
    expect(intentsFor('idem-other')).toHaveLength(1);
  });

  it('refuses the key on another endpoint', async () => {
    const intent = await stripe.paymentIntents.create(intentParams(), { idempotencyKey: 'idem-endpoint' });
    const error = await rejectionOf(
      stripe.paymentIntents.confirm(
        intent.id,
        { payment_method: 'pm_card_visa' },
        { idempotencyKey: 'idem-endpoint' },
      ),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.message).toContain('same endpoint');
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe('requires_payment_method');
  });

  it('keeps keys apart per secret key', async () => {
    const params = intentParams({ metadata: { orderId: 'idem-per-key' } });
    const mine = await stripe.paymentIntents.create(params, { idempotencyKey: 'shared-key' });
    const theirs = await stripeFor(sandbox, 'sk_test_another_account').paymentIntents.create(params, {
      idempotencyKey: 'shared-key',
    });
    expect(theirs.id).not.toBe(mine.id);
  });

  it('saves a decline: the replay answers the same 402 and charges the card once', async () => {
    const intent = await stripe.paymentIntents.create(intentParams());
    const confirm = () =>
      stripe.paymentIntents.confirm(
        intent.id,
        { payment_method: 'pm_card_visa_chargeDeclined' },
        { idempotencyKey: `confirm-${intent.id}` },
      );
    const first = await rejectionOf(confirm());
    const again = await rejectionOf(confirm());

    expect(again).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(again.headers?.['idempotent-replayed']).toBe('true');
    expect(again.charge).toBe(first.charge);
    expect(eventsFor('payment_intent.payment_failed', intent.id)).toHaveLength(1);
  });

  it('does not save a request refused for its parameters: a corrected retry with the key runs', async () => {
    const invalid = await rejectionOf(
      stripe.paymentIntents.create(intentParams({ amount: 0 }), { idempotencyKey: 'idem-corrected' }),
    );
    expect(invalid).toMatchObject({ statusCode: 400, code: 'parameter_invalid_integer' });
    const corrected = await stripe.paymentIntents.create(intentParams({ amount: 300 }), {
      idempotencyKey: 'idem-corrected',
    });
    expect(corrected.amount).toBe(300);
  });

  it('sends no second webhook for a replayed confirmation', async () => {
    const intent = await stripe.paymentIntents.create(intentParams());
    const confirm = () =>
      stripe.paymentIntents.confirm(
        intent.id,
        { payment_method: 'pm_card_visa' },
        { idempotencyKey: `confirm-${intent.id}` },
      );
    await confirm();
    await confirm();
    await sandbox.webhooksIdle();
    const delivered = receiver
      .ofType('payment_intent.succeeded')
      .filter(({ event }) => event.data.object.id === intent.id);
    expect(delivered).toHaveLength(1);
  });
});

describe('concurrent requests with one key', () => {
  it('creates one PaymentIntent for concurrent SDK calls with the same key', async () => {
    const params = intentParams({ metadata: { orderId: 'idem-concurrent' } });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        stripe.paymentIntents.create(params, { idempotencyKey: 'pi-idem-concurrent' }),
      ),
    );
    expect(new Set(results.map((intent) => intent.id)).size).toBe(1);
    expect(intentsFor('idem-concurrent')).toHaveLength(1);
  });

  it('answers 409 idempotency_key_in_use while the first request is in flight, then replays', async () => {
    const body =
      'amount=4100&currency=usd&metadata[orderId]=idem-in-flight&allowed_payment_method_types[0]=card';
    const held = await startHeldRequest('/v1/payment_intents', 'idem-in-flight', body);

    const raced = await rejectionOf(
      stripeFor(sandbox, SECRET_KEY, { maxNetworkRetries: 0 }).paymentIntents.create(
        {
          amount: 4100,
          currency: 'usd',
          metadata: { orderId: 'idem-in-flight' },
          allowed_payment_method_types: ['card'],
        },
        { idempotencyKey: 'idem-in-flight' },
      ),
    );
    expect(raced.statusCode).toBe(409);
    expect(raced.raw).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_in_use' });
    expect(intentsFor('idem-in-flight')).toHaveLength(0);

    const first = await held.finish();
    expect(first.status).toBe(200);
    const retried = await stripe.paymentIntents.create(
      {
        amount: 4100,
        currency: 'usd',
        metadata: { orderId: 'idem-in-flight' },
        allowed_payment_method_types: ['card'],
      },
      { idempotencyKey: 'idem-in-flight' },
    );
    expect(retried.id).toBe(first.body.id);
    expect(intentsFor('idem-in-flight')).toHaveLength(1);
  });
});
