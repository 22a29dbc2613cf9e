import { createServer } from 'node:net';
import Stripe from 'stripe';
import type { StripeSandbox, StripeSandboxOptions } from '@glotixz/stripe-sandbox';
import {
  WEBHOOK_SECRET,
  intentParams,
  rawRequest,
  startTestSandbox,
  startWebhookReceiver,
  stripeFor,
  type WebhookReceiver,
} from './harness';

let sandbox: StripeSandbox;
let receiver: WebhookReceiver;
let stripe: Stripe;

async function setUp(options: Partial<StripeSandboxOptions> = {}): Promise<void> {
  receiver = await startWebhookReceiver();
  sandbox = await startTestSandbox({ webhookUrl: receiver.url, ...options });
  stripe = stripeFor(sandbox);
}

afterEach(async () => {
  await sandbox.close();
  await receiver.close();
});

/** A payment that succeeds; answers the PaymentIntent id. */
async function pay(): Promise<string> {
  const intent = await stripe.paymentIntents.create(
    intentParams({ payment_method: 'pm_card_visa', confirm: true }),
  );
  return intent.id;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('webhook signatures', () => {
  beforeEach(() => setUp());

  it('signs like Stripe: t=<unix>,v1=<hex> over the raw, pretty-printed body', async () => {
    await pay();
    await sandbox.webhooksIdle();
    const [webhook] = receiver.received;
    const signature = webhook!.headers['stripe-signature'] as string;

    expect(signature).toMatch(/^t=\d{10},v1=[0-9a-f]{64}$/);
    expect(webhook!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(webhook!.headers['user-agent']).toMatch(/^Stripe\/1\.0/);
    expect(webhook!.rawBody).toBe(JSON.stringify(JSON.parse(webhook!.rawBody), null, 2));
    const event = stripe.webhooks.constructEvent(webhook!.rawBody, signature, WEBHOOK_SECRET);
    expect(event.id).toBe(webhook!.event.id);
  });

  it('fails verification for a tampered body or another secret', async () => {
    await pay();
    await sandbox.webhooksIdle();
    const [webhook] = receiver.received;
    const signature = webhook!.headers['stripe-signature'] as string;
    const tampered = webhook!.rawBody.replace('"amount": 2500', '"amount": 1');
    expect(tampered).not.toBe(webhook!.rawBody);

    expect(() => stripe.webhooks.constructEvent(tampered, signature, WEBHOOK_SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => stripe.webhooks.constructEvent(webhook!.rawBody, signature, 'whsec_someone_else')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });
});

describe('Connect events', () => {
  const CONNECT_SECRET = 'whsec_test_connect_9a8b7c6d5e4f3a2b1c0d';

  /** An Express account, onboarded so that `account.updated` fires; answers its id. */
  async function onboardedAccount(): Promise<string> {
    const account = await stripe.accounts.create({ type: 'express', country: 'US' });
    sandbox.completeOnboarding(account.id);
    await sandbox.webhooksIdle();
    return account.id;
  }

  it('name their connected account, and are signed with the Connect secret when one is set', async () => {
    await setUp({ connectWebhookSecret: CONNECT_SECRET });
    const accountId = await onboardedAccount();
    await pay();
    await sandbox.webhooksIdle();

    const [update] = receiver.ofType('account.updated');
    const signature = update!.headers['stripe-signature'] as string;
    const event = stripe.webhooks.constructEvent(update!.rawBody, signature, CONNECT_SECRET);
    expect(event).toMatchObject({
      type: 'account.updated',
      account: accountId,
      data: { object: { id: accountId } },
    });
    expect(() => stripe.webhooks.constructEvent(update!.rawBody, signature, WEBHOOK_SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );

    // The platform's own events have no `account` and keep the platform endpoint's secret.
    const [payment] = receiver.ofType('payment_intent.succeeded');
    const platformEvent = stripe.webhooks.constructEvent(
      payment!.rawBody,
      payment!.headers['stripe-signature'] as string,
      WEBHOOK_SECRET,
    );
    expect(platformEvent).not.toHaveProperty('account');
  });

  it('are signed with the one secret when no Connect secret is set', async () => {
    await setUp();
    const accountId = await onboardedAccount();

    const [update] = receiver.ofType('account.updated');
    const event = stripe.webhooks.constructEvent(
      update!.rawBody,
      update!.headers['stripe-signature'] as string,
      WEBHOOK_SECRET,
    );
    expect(event.account).toBe(accountId);
  });

  it('keep the Connect secret when re-sent', async () => {
    await setUp({ connectWebhookSecret: CONNECT_SECRET });
    await onboardedAccount();
    const [first] = receiver.ofType('account.updated');
    await sandbox.resend(first!.event.id);

    const [, again] = receiver.ofType('account.updated');
    expect(again!.event.id).toBe(first!.event.id);
    expect(() =>
      stripe.webhooks.constructEvent(
        again!.rawBody,
        again!.headers['stripe-signature'] as string,
        CONNECT_SECRET,
      ),
    ).not.toThrow();
  });
});

describe('webhook delivery', () => {
  it('retries until the endpoint answers 2xx and records every attempt', async () => {
    await setUp();
    receiver.answerNext(500, 503);
    await pay();
    await sandbox.webhooksIdle();

    const attempts = sandbox.deliveries();
    expect(attempts.map(({ attempt, status }) => [attempt, status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    expect(attempts.every(({ type }) => type === 'payment_intent.succeeded')).toBe(true);
    expect(attempts[0]!.error).toBe('HTTP 500');
    expect(attempts[2]!.error).toBeUndefined();
    expect(new Set(receiver.received.map(({ event }) => event.id)).size).toBe(1);
    for (const webhook of receiver.received) {
      const signature = webhook.headers['stripe-signature'] as string;
      expect(() => stripe.webhooks.constructEvent(webhook.rawBody, signature, WEBHOOK_SECRET)).not.toThrow();
    }
    expect(sandbox.events()[0]).toMatchObject({ pending_webhooks: 0 });
  });

  it('counts a redirect as a failed attempt instead of following it', async () => {
    await setUp();
    receiver.answerNext({ status: 302, location: `${receiver.url}/elsewhere` });
    await pay();
    await sandbox.webhooksIdle();
    expect(sandbox.deliveries().map(({ status }) => status)).toEqual([302, 200]);
    expect(receiver.received.map(({ answered }) => answered)).toEqual([302, 200]);
  });

  it('gives up after the configured attempts, waiting longer each time', async () => {
    await setUp({ webhookRetry: { attempts: 3, baseDelayMs: 40 } });
    receiver.answerNext(500, 500, 500, 500);
    await pay();
    await sandbox.webhooksIdle();

    const attempts = sandbox.deliveries();
    expect(attempts.map(({ status }) => status)).toEqual([500, 500, 500]);
    const gaps = attempts.slice(1).map((attempt, i) => attempt.at.getTime() - attempts[i]!.at.getTime());
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(sandbox.events()[0]).toMatchObject({ pending_webhooks: 1 });
  });

  it('records an unreachable endpoint as status null with the error, and retries it', async () => {
    await setUp({ webhookUrl: `http://127.0.0.1:${await closedPort()}/hook` });
    await pay();
    await sandbox.webhooksIdle();
    const attempts = sandbox.deliveries();
    expect(attempts).toHaveLength(4);
    expect(attempts.every(({ status, error }) => status === null && typeof error === 'string')).toBe(true);
  });

  it('sends nothing without an endpoint, and sends later events once one is set', async () => {
    await setUp({ webhookUrl: undefined });
    await pay();
    await sandbox.webhooksIdle();
    expect(sandbox.deliveries()).toEqual([]);
    expect(sandbox.events()[0]).toMatchObject({ pending_webhooks: 0 });

    sandbox.setWebhookUrl(receiver.url);
    const second = await pay();
    await sandbox.webhooksIdle();
    expect(receiver.received.map(({ event }) => event.data.object.id)).toEqual([second]);
  });

  it('re-sends an existing event with the same id, signed again', async () => {
    await setUp();
    await pay();
    await sandbox.webhooksIdle();
    const [event] = sandbox.events() as { id: string }[];

    await sandbox.resend(event!.id);

    expect(receiver.received.map((webhook) => webhook.event.id)).toEqual([event!.id, event!.id]);
    const [original, resent] = receiver.received;
    expect(resent!.rawBody).toBe(original!.rawBody.replace('"pending_webhooks": 1', '"pending_webhooks": 0'));
    expect(() =>
      stripe.webhooks.constructEvent(
        resent!.rawBody,
        resent!.headers['stripe-signature'] as string,
        WEBHOOK_SECRET,
      ),
    ).not.toThrow();
    await expect(sandbox.resend('evt_unknown')).rejects.toThrow("No such event: 'evt_unknown'");
  });

  it('answers the API call without waiting for the webhook endpoint', async () => {
    await setUp();
    receiver.answerNext({ status: 200, delayMs: 1000 });
    const started = Date.now();
    const id = await pay();
    expect(Date.now() - started).toBeLessThan(500);
    await sandbox.webhooksIdle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(sandbox.deliveries()).toEqual([expect.objectContaining({ status: 200 })]);
    expect(receiver.received.map(({ event }) => event.data.object.id)).toEqual([id]);
  });
});

describe('shutting down', () => {
  it('abandons pending retries at once on close()', async () => {
    await setUp({ webhookRetry: { attempts: 5, baseDelayMs: 60_000 } });
    receiver.answerNext(500);
    await pay();
    const deadline = Date.now() + 5000;
    while (sandbox.deliveries().length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const started = Date.now();
    await sandbox.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sandbox.deliveries()).toHaveLength(1);
    await expect(sandbox.webhooksIdle()).resolves.toBeUndefined();
  });

  it('refuses a webhook URL that is not http(s)', async () => {
    await setUp();
    expect(() => sandbox.setWebhookUrl('mailto:ops@example.com')).toThrow();
    await pay();
    await sandbox.webhooksIdle();
    expect(receiver.received).toHaveLength(1);
  });
});

describe('control API', () => {
  beforeEach(() => setUp({ webhookUrl: undefined }));

  it('sets and shows the webhook endpoint, refusing what is not an http(s) URL', async () => {
    expect((await rawRequest(sandbox, 'GET', '/_sandbox/webhook')).body).toEqual({ url: null });
    const set = await rawRequest(sandbox, 'PUT', '/_sandbox/webhook', {
      body: JSON.stringify({ url: receiver.url }),
      headers: { 'content-type': 'application/json' },
    });
    expect(set).toMatchObject({ status: 200, body: { url: receiver.url } });
    expect((await rawRequest(sandbox, 'GET', '/_sandbox/webhook')).body).toEqual({ url: receiver.url });

    const bad = await rawRequest(sandbox, 'PUT', '/_sandbox/webhook', {
      body: JSON.stringify({ url: 'ftp://example.com' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect((await rawRequest(sandbox, 'GET', '/_sandbox/webhook')).body).toEqual({ url: receiver.url });
  });

  it('lists events and deliveries and re-sends an event', async () => {
    sandbox.setWebhookUrl(receiver.url);
    await pay();
    await sandbox.webhooksIdle();

    const events = (await rawRequest(sandbox, 'GET', '/_sandbox/events')).body.data as Stripe.Event[];
    expect(events).toHaveLength(1);
    const eventId = events[0]!.id;

    const resent = await rawRequest(sandbox, 'POST', `/_sandbox/events/${eventId}/resend`);
    expect(resent.status).toBe(200);
    expect(resent.body.data).toEqual([expect.objectContaining({ eventId, attempt: 1, status: 200 })]);

    const deliveries = await rawRequest(sandbox, 'GET', `/_sandbox/deliveries?event=${eventId}`);
    expect(deliveries.body.data).toHaveLength(2);
    expect(receiver.received).toHaveLength(2);

    expect((await rawRequest(sandbox, 'POST', '/_sandbox/events/evt_nope/resend')).status).toBe(404);
  });

  it('refuses to re-send while no endpoint is configured', async () => {
    await pay();
    const [event] = sandbox.events() as { id: string }[];
    expect((await rawRequest(sandbox, 'POST', `/_sandbox/events/${event!.id}/resend`)).status).toBe(409);
  });
});
