import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { accountRoutes } from './accounts/accounts.routes';
import { ACCOUNT_LINK_TTL_SECONDS, AccountsService } from './accounts/accounts.service';
import { onboardingRouter } from './accounts/onboarding.page';
import { balanceRoutes } from './balance/balance.routes';
import { BalanceService } from './balance/balance.service';
import { chargeRoutes } from './charges/charges.routes';
import { ChargesService } from './charges/charges.service';
import { IdempotencyStore } from './idempotency/idempotency';
import { paymentIntentRoutes } from './payment-intents/payment-intents.routes';
import { PaymentIntentsService } from './payment-intents/payment-intents.service';
import { paymentMethodRoutes } from './payment-methods/payment-methods.routes';
import { PaymentMethodsService } from './payment-methods/payment-methods.service';
import { refundRoutes } from './refunds/refunds.routes';
import { RefundsService } from './refunds/refunds.service';
import { transferRoutes } from './transfers/transfers.routes';
import { TransfersService } from './transfers/transfers.service';
import { createSandboxApp } from './server/app';
import { TEST_KEY } from './server/auth';
import type { RequestContext } from './server/request-context';
import { EventLog } from './webhooks/event-log';
import { WebhookDispatcher, type WebhookDelivery } from './webhooks/webhook-dispatcher';

/** Options of {@link startStripeSandbox}. */
export interface StripeSandboxOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** The one secret key accepted; by default any `sk_test_...` (or `rk_test_...`) key is. */
  secretKey?: string;
  /** Where webhooks go; none are sent while unset. */
  webhookUrl?: string;
  /** The endpoint's signing secret (Stripe's start with `whsec_`). */
  webhookSecret: string;
  /**
   * The signing secret of a Connect endpoint at the same URL: events of connected accounts (those
   * carrying `account`, such as `account.updated`) are signed with it, as Stripe signs what it
   * sends to a Connect endpoint. Unset: they are signed with `webhookSecret`.
   */
  connectWebhookSecret?: string;
  /** Attempts per event (first included) and the first retry delay, doubling after; default 10 × 500 ms. */
  webhookRetry?: { attempts: number; baseDelayMs: number };
  /**
   * Where a browser reaches the sandbox: the base of account links' onboarding pages. Default:
   * the sandbox's own `http://host:port`.
   */
  publicUrl?: string;
  /** How long an account link stays valid; default 300 s, as on Stripe. */
  accountLinkTtlSeconds?: number;
  /** Silent when omitted. */
  logger?: Logger;
}

export type { WebhookDelivery } from './webhooks/webhook-dispatcher';

/** A running sandbox. */
export interface StripeSandbox {
  /** `http://host:port`. */
  url: string;
  host: string;
  port: number;
  protocol: 'http';
  /** options for `new Stripe(key, sandbox.stripeConfig)` */
  stripeConfig: { host: string; port: number; protocol: 'http' };
  /** Changes (or, with `undefined`, removes) the webhook endpoint; pending retries follow it. */
  setWebhookUrl(url: string | undefined): void;
  /** Every PaymentIntent as the API shows it now, oldest first. */
  paymentIntents(): unknown[];
  /** Every refund, oldest first. */
  refunds(): unknown[];
  /** Every connected account as the API shows it now, oldest first. */
  accounts(): unknown[];
  /** Every transfer as the API shows it now, oldest first. */
  transfers(): unknown[];
  /** The platform's balance, as `GET /v1/balance` answers it. */
  balance(): unknown;
  /** Sandbox only: completes the onboarding of an account (fires `account.updated`). */
  completeOnboarding(accountId: string): unknown;
  /** Sandbox only: restricts an account (fires `account.updated`). */
  restrictAccount(accountId: string): unknown;
  /** Every event created, oldest first. */
  events(): unknown[];
  /** Every webhook delivery attempt, oldest first. */
  deliveries(): WebhookDelivery[];
  /** resolves once every queued webhook has been delivered or given up */
  webhooksIdle(): Promise<void>;
  /** re-send an already created event (for replay tests) */
  resend(eventId: string): Promise<void>;
  /** Stops listening (in-flight requests get two seconds) and abandons pending webhooks. */
  close(): Promise<void>;
}

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  secretKey: z
    .string()
    .regex(TEST_KEY, 'must be a test secret or restricted key (sk_test_... or rk_test_...)')
    .optional(),
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  webhookSecret: z.string().min(1, 'is required'),
  connectWebhookSecret: z.string().min(1, 'must not be empty').optional(),
  webhookRetry: z
    .object({ attempts: z.number().int().min(1), baseDelayMs: z.number().int().min(0) })
    .default({ attempts: 10, baseDelayMs: 500 }),
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  accountLinkTtlSeconds: z.number().int().min(1).default(ACCOUNT_LINK_TTL_SECONDS),
});

const CLOSE_GRACE_MS = 2000;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

const clone = <T>(items: T[]): T[] => items.map((item) => structuredClone(item));

/** Starts a Stripe sandbox listening on `host:port`; see the README for what it supports. */
export async function startStripeSandbox(options: StripeSandboxOptions): Promise<StripeSandbox> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`,
    );
    throw new Error(`Invalid Stripe sandbox options: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  const logger = options.logger ?? pino({ level: 'silent' });

  let webhookUrl = config.webhookUrl;
  const endpoint = {
    get: () => webhookUrl,
    set: (url: string | undefined) => {
      webhookUrl = url;
    },
  };
  const dispatcher = new WebhookDispatcher({
    secret: config.webhookSecret,
    connectSecret: config.connectWebhookSecret,
    retry: config.webhookRetry,
    endpoint: endpoint.get,
    logger,
  });
  const events = new EventLog(() => (webhookUrl ? 1 : 0));
  const methods = new PaymentMethodsService();
  const charges = new ChargesService();
  const balance = new BalanceService();
  const intents = new PaymentIntentsService(methods, charges, events, balance);
  const refunds = new RefundsService(intents, charges, events, balance);
  let baseUrl = config.publicUrl?.replace(/\/+$/, '');
  const accounts = new AccountsService(events, {
    baseUrl: () => baseUrl ?? '',
    linkTtlSeconds: config.accountLinkTtlSeconds,
  });
  const transfers = new TransfersService(accounts, balance, events, charges);
  const app = createSandboxApp({
    secretKey: config.secretKey,
    routes: [
      ...paymentIntentRoutes({ intents, charges, methods }),
      ...paymentMethodRoutes(methods),
      ...refundRoutes(refunds),
      ...chargeRoutes(charges),
      ...accountRoutes(accounts),
      ...transferRoutes(transfers),
      ...balanceRoutes(balance),
    ],
    pages: [onboardingRouter({ accounts, dispatcher })],
    idempotency: new IdempotencyStore(),
    events,
    dispatcher,
    endpoint,
    logger,
  });

  const server = createServer(app);
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  // A wildcard address is where the sandbox listens, not where a client can reach it.
  const host = ['0.0.0.0', '::', '[::]'].includes(config.host) ? '127.0.0.1' : config.host;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  baseUrl ??= `http://${urlHost}:${port}`;
  logger.info({ host: config.host, port, webhookUrl }, 'stripe sandbox listening');

  /** Runs a sandbox-only action as the dashboard would: events without a request, sent at once. */
  const outsideRequest = (action: (ctx: RequestContext) => unknown): unknown => {
    const ctx: RequestContext = { requestId: null, idempotencyKey: null, events: [] };
    const result = structuredClone(action(ctx));
    dispatcher.enqueue(ctx.events);
    return result;
  };

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    protocol: 'http',
    stripeConfig: { host, port, protocol: 'http' },
    setWebhookUrl: (url) => {
      if (url !== undefined) z.url({ protocol: /^https?$/ }).parse(url);
      endpoint.set(url);
    },
    paymentIntents: () => clone(intents.all()),
    refunds: () => clone(refunds.all()),
    accounts: () => clone(accounts.all()),
    transfers: () => clone(transfers.all()),
    balance: () => balance.retrieve(),
    completeOnboarding: (accountId) => outsideRequest((ctx) => accounts.completeOnboarding(ctx, accountId)),
    restrictAccount: (accountId) => outsideRequest((ctx) => accounts.restrict(ctx, accountId)),
    events: () => clone(events.all()),
    deliveries: () => dispatcher.deliveries(),
    webhooksIdle: () => dispatcher.idle(),
    resend: (eventId) => {
      const event = events.get(eventId);
      return event ? dispatcher.resend(event) : Promise.reject(new Error(`No such event: '${eventId}'`));
    },
    close: () => {
      closing ??= (async () => {
        await closeServer(server);
        await dispatcher.close();
        logger.info('stripe sandbox stopped');
      })();
      return closing;
    },
  };
}
