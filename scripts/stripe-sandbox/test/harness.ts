import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startStripeSandbox, type StripeSandbox, type StripeSandboxOptions } from '@glotixz/stripe-sandbox';

/** The webhook signing secret the test sandboxes use. */
export const WEBHOOK_SECRET = 'whsec_test_4f0b8c1d2e3a4b5c6d7e8f9a0b1c2d3e';

/** A test secret key any test sandbox accepts. */
export const SECRET_KEY = 'sk_test_glotixz_sandbox_tests';

/** A sandbox with fast webhook retries; close it in `afterAll`. */
export function startTestSandbox(options: Partial<StripeSandboxOptions> = {}): Promise<StripeSandbox> {
  return startStripeSandbox({
    webhookSecret: WEBHOOK_SECRET,
    webhookRetry: { attempts: 4, baseDelayMs: 20 },
    ...options,
  });
}

/** The real SDK pointed at the sandbox, as the payments service builds it. */
export function stripeFor(
  sandbox: StripeSandbox,
  key = SECRET_KEY,
  config: Stripe.StripeConfig = {},
): Stripe {
  return new Stripe(key, { ...sandbox.stripeConfig, telemetry: false, ...config });
}

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** A raw HTTP call to the sandbox (for what the SDK does not let a caller get wrong). */
export async function rawRequest(
  sandbox: StripeSandbox,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  options: { body?: string; headers?: Record<string, string>; key?: string | null } = {},
): Promise<{ status: number; headers: Headers; body: JsonObject }> {
  const key = options.key === undefined ? SECRET_KEY : options.key;
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...options.headers,
    },
    body: options.body,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as JsonObject) : {},
  };
}

/** One webhook as the test endpoint received it. */
export interface ReceivedWebhook {
  rawBody: string;
  headers: IncomingHttpHeaders;
  event: { id: string; type: string; data: { object: JsonObject }; [key: string]: unknown };
  /** The status the endpoint answered. */
  answered: number;
}

/** A scripted answer of the {@link WebhookReceiver}. */
export type ScriptedAnswer = number | { status: number; delayMs?: number; location?: string };

/** A local HTTP endpoint that records webhooks and answers with scripted statuses (then 200). */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** How to answer the next webhooks, in order: a status, or a status after a delay. */
  answerNext(...answers: ScriptedAnswer[]): void;
  /** The received webhooks of one event type. */
  ofType(type: string): ReceivedWebhook[];
  close(): Promise<void>;
}

/** Starts a {@link WebhookReceiver} on a random port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const script: ScriptedAnswer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const next = script.shift() ?? 200;
      const { status: answered, delayMs = 0, location } = typeof next === 'number' ? { status: next } : next;
      received.push({
        rawBody,
        headers: req.headers,
        event: JSON.parse(rawBody) as ReceivedWebhook['event'],
        answered,
      });
      setTimeout(
        () =>
          res
            .writeHead(answered, { 'content-type': 'application/json', ...(location ? { location } : {}) })
            .end('{"received":true}'),
        delayMs,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/payments/webhook`,
    received,
    answerNext: (...answers) => script.push(...answers),
    ofType: (type) => received.filter((webhook) => webhook.event.type === type),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The Stripe error a promise rejects with (fails the test when it resolves or fails otherwise). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A PaymentIntent the way the payments service creates one (server-side confirmation, no redirects). */
export const intentParams = (
  overrides: Partial<Stripe.PaymentIntentCreateParams> = {},
): Stripe.PaymentIntentCreateParams => ({
  amount: 2500,
  currency: 'usd',
  automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
  metadata: { orderId: 'order-1' },
  ...overrides,
});

/** The sandbox's PaymentIntents, typed as the SDK types them. */
export const intentsOf = (sandbox: StripeSandbox) => sandbox.paymentIntents() as Stripe.PaymentIntent[];

/** The sandbox's events, typed as the SDK types them. */
export const eventsOf = (sandbox: StripeSandbox) => sandbox.events() as Stripe.Event[];

/** The sandbox's refunds, typed as the SDK types them. */
export const refundsOf = (sandbox: StripeSandbox) => sandbox.refunds() as Stripe.Refund[];

/** The object an event carries, with its id. */
export const objectOf = (event: Stripe.Event) => event.data.object as { id: string };
