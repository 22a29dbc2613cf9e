import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { durableNameFor, type Bus, type Messaging } from '@glotixz/common/bus';
import {
  streamFor,
  type Envelope,
  type EventMap,
  type OrderCreatedData,
  type Subject,
} from '@glotixz/common/events';
import { createServiceTestbed, waitFor, type TestKeys, type TestUser } from '@glotixz/common/testing';
import { startStripeSandbox, type StripeSandbox } from '@glotixz/stripe-sandbox';
import type { Express } from 'express';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import Stripe from 'stripe';
import request from 'supertest';
import { configSchema, type Config } from '../src/config';
import type { PaymentsDb } from '../src/db/db';
import { migrationsFolder } from '../src/db/migrate';
import * as schema from '../src/db/schema';
import { paymentsConsumers } from '../src/events/consumers';
import { createPaymentMetrics } from '../src/payments/payment-metrics';
import { createReconciler, reconcilerSettings, type Reconciler } from '../src/reconciler/reconciler';
import { offsetClock, type Clock } from '../src/payouts/clock';
import { createPayoutWorker, type PayoutWorker } from '../src/payouts/payout-worker';
import { createSaleRefunder, type SaleRefunder } from '../src/payouts/refund-sale';
import { createRefundWorker, type RefundWorker } from '../src/refunds/refund-worker';
import { paymentsService } from '../src/service';
import { createStripeClient } from '../src/stripe/stripe.client';
import { createStripeGateway, type StripeGateway } from '../src/stripe/stripe.gateway';

export type { TestUser };

/** A row of `payments`, as SQL answers it. */
export interface PaymentDbRow {
  id: string;
  order_id: string;
  stripe_payment_intent_id: string;
  client_secret: string;
  amount: string;
  currency: string;
  status: string;
  last_error: { code: string | null; declineCode: string | null; message: string } | null;
  attempts: number;
  stripe_charge_id: string | null;
  stripe_refund_id: string | null;
  refund_attempts: number;
  updated_at: Date;
}

/** A row of the order replica, as SQL answers it. */
export interface OrderReplicaRow {
  id: string;
  user_id: string;
  status: string;
  amount: string;
  currency: string;
  expires_at: Date;
  version: number;
  price: string | null;
  fee: string | null;
  title: string | null;
  seller_id: string | null;
  event_id: string | null;
  event_starts_at: Date | null;
}

/** Options of {@link startPaymentsHarness}. */
export interface PaymentsHarnessOptions {
  /** Overrides of the payments configuration. */
  env?: Record<string, string>;
  /** Wraps the Stripe gateway, e.g. to inject faults. */
  gateway?: (real: StripeGateway) => StripeGateway;
  /** The payout clock of the app, the payout worker and the reconciler; default `CLOCK_OFFSET_SECONDS`'s. */
  clock?: Clock;
}

/**
 * A migrated throwaway payments database, the service's messaging on a random bus prefix, the
 * Stripe sandbox sending its webhooks to the app listening on a free port, the refund worker, and
 * a second bus on the same prefix that plays the orders service.
 */
export interface PaymentsHarness {
  pool: Pool;
  db: PaymentsDb;
  keys: TestKeys;
  config: Config;
  app: Express;
  metrics: Registry;
  messaging: Messaging;
  refunds: RefundWorker;
  /** The one refund path (`refundSale`). */
  refunder: SaleRefunder;
  /** The payout clock the app, the payout worker and the reconciler share. */
  clock: Clock;
  /** The payout worker; not started (tests call `payDue`). */
  payouts: PayoutWorker;
  /** Created with the configuration's RECONCILE_* settings; not started (tests start it, or call `reconcileDue`). */
  reconciler: Reconciler;
  sandbox: StripeSandbox;
  /** Where the sandbox sends webhooks: the app listening on a free port. */
  webhookUrl: string;
  /** The SDK pointed at the sandbox, playing the buyer's browser (Stripe.js). */
  stripe: Stripe;
  /** The orders service's side of the bus: publish its events, read ours back. */
  bus: Bus;
  user(): TestUser;
  /**
   * A new seller with a connected account made through `POST /api/payouts/account`, its
   * onboarding completed at the sandbox and the account seen `enabled`, unless `onboard` is false.
   */
  seller(options?: { onboard?: boolean }): Promise<{ user: TestUser; accountId: string }>;
  /** Publishes `order.created` (as orders would) and waits until the replica has it. */
  placeOrder(buyer: TestUser, overrides?: Partial<OrderCreatedData>): Promise<OrderCreatedData>;
  /** Publishes an event as orders would; answers the envelope. */
  publish<S extends Subject>(subject: S, data: EventMap[S]): Promise<Envelope<S>>;
  /** Publishes `order.cancelled` (v1) and waits until the replica shows it. */
  cancelOrder(order: OrderCreatedData): Promise<void>;
  /** Publishes `order.completed` (v1) and waits until the replica shows it. */
  completeOrder(order: OrderCreatedData): Promise<void>;
  /** `POST /api/payments` as `buyer`. */
  pay(buyer: TestUser, orderId: string, paymentMethodId?: string): request.Test;
  /** `GET /api/payments?orderId=` as `buyer`. */
  getPayment(buyer: TestUser, orderId: string): request.Test;
  /** Posts a body to the webhook signed with the endpoint secret (at `timestamp`, seconds). */
  postWebhook(payload: string, options?: { timestamp?: number; secret?: string }): request.Test;
  paymentRow(orderId: string): Promise<PaymentDbRow | undefined>;
  orderRow(id: string): Promise<OrderReplicaRow | undefined>;
  /** Waits until the payment of `orderId` has `status`, and answers its row. */
  paymentReaches(orderId: string, status: string): Promise<PaymentDbRow>;
  count(table: 'payments' | 'orders' | 'outbox' | 'stripe_events'): Promise<number>;
  /** The current value of a counter on `/metrics`. */
  counter(
    name: 'payments_succeeded_total' | 'payments_declined_total' | 'payments_refunded_total',
  ): Promise<number>;
  /** Envelopes on the stream for `subject` whose data `orderId` (or `id`) is `orderId`. */
  eventsFor<S extends Subject>(subject: S, orderId: string): Promise<Envelope<S>[]>;
  /** The sandbox's PaymentIntents for an order (by metadata). */
  intentsFor(orderId: string): Stripe.PaymentIntent[];
  /** The sandbox's refunds of a PaymentIntent. */
  refundsOf(intentId: string): Stripe.Refund[];
  /** Waits until our consumer of `subject` has settled every message on its stream. */
  consumerIdle(subject: Subject): Promise<void>;
  /** Waits until every webhook is delivered and every event we enqueued is on its stream. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the harness. */
export async function startPaymentsHarness(options: PaymentsHarnessOptions = {}): Promise<PaymentsHarness> {
  const testbed = await createServiceTestbed({ migrationsFolder, schema, poolSize: 20 });
  const { pool, db, logger } = testbed;
  const webhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
  const sandbox = await startStripeSandbox({
    webhookSecret,
    // A Connect endpoint at the same URL, when the test configures one.
    connectWebhookSecret: options.env?.STRIPE_CONNECT_WEBHOOK_SECRET,
    webhookRetry: { attempts: 5, baseDelayMs: 50 },
  });
  const config = configSchema.parse({
    ...testbed.env,
    STRIPE_SECRET_KEY: `sk_test_${randomBytes(12).toString('hex')}`,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_BASE: sandbox.url,
    STRIPE_PUBLISHABLE_KEY: 'pk_test_glotixz',
    REFUND_INTERVAL_SECONDS: '1',
    PAYOUT_HOLD_SECONDS: '1',
    ...options.env,
  });
  const realGateway = createStripeGateway(createStripeClient(config));
  const gateway = options.gateway ? options.gateway(realGateway) : realGateway;
  const paymentMetrics = createPaymentMetrics();
  const clock = options.clock ?? offsetClock(config.CLOCK_OFFSET_SECONDS);
  const refunder = createSaleRefunder({ db, stripe: gateway, logger });
  const payouts = createPayoutWorker({
    db,
    stripe: gateway,
    refunder,
    logger,
    clock,
    intervalMs: 60_000,
    claimMs: config.PAYOUT_CLAIM_SECONDS * 1000,
    backoff: { baseMs: 100, capMs: 400 },
    metrics: paymentMetrics,
  });
  const refunds = createRefundWorker({
    db,
    stripe: gateway,
    refunder,
    logger,
    intervalMs: config.REFUND_INTERVAL_SECONDS * 1000,
    metrics: paymentMetrics,
    backoff: { baseMs: 100, capMs: 400 },
  });
  const reconciler = createReconciler({
    db,
    stripe: gateway,
    logger,
    refunds,
    clock,
    metrics: paymentMetrics,
    ...reconcilerSettings(config),
  });
  const consumers = paymentsConsumers(db, refunds);
  const messaging = await testbed.startMessaging({ service: 'payments', consumers, outboxPollMs: 200 });
  // The app as the service declares it, on the testbed's dependencies and the wrapped gateway.
  const deps = {
    config,
    stripe: gateway,
    refunds,
    refunder,
    payouts,
    paymentMetrics,
    clock,
    ...testbed.appDeps(messaging),
  };
  const { app, metrics } = paymentsService.createApp(deps);
  refunds.start();
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  testbed.onClose(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  testbed.onClose(() => sandbox.close());
  testbed.onClose(() => refunds.stop());
  testbed.onClose(() => reconciler.stop());
  testbed.onClose(() => payouts.stop());
  const { port } = server.address() as AddressInfo;
  const webhookUrl = `http://127.0.0.1:${port}/api/payments/webhook`;
  sandbox.setWebhookUrl(webhookUrl);
  const stripe = new Stripe(config.STRIPE_SECRET_KEY, { ...sandbox.stripeConfig, maxNetworkRetries: 0 });

  const harness: PaymentsHarness = {
    // The testbed's database, keys, bus, users, publishing and close, then the service's own parts.
    ...testbed,
    config,
    app,
    metrics,
    messaging,
    refunds,
    refunder,
    clock,
    payouts,
    reconciler,
    sandbox,
    webhookUrl,
    stripe,

    async seller({ onboard = true } = {}) {
      const user = harness.user();
      const res = await request(app)
        .post('/api/payouts/account')
        .set('authorization', user.authorization)
        .expect(200);
      if (!/^https?:\/\//.test(String(res.body.onboardingUrl))) throw new Error('no onboarding URL');
      const { rows } = await harness.pool.query<{ stripe_account_id: string }>(
        'select stripe_account_id from seller_accounts where user_id = $1',
        [user.id],
      );
      const accountId = rows[0]?.stripe_account_id;
      if (!accountId) throw new Error('no connected account saved');
      if (onboard) {
        sandbox.completeOnboarding(accountId);
        await waitFor(
          async () => {
            const account = await request(app)
              .get('/api/payouts/account')
              .set('authorization', user.authorization);
            return account.body.status === 'enabled' ? true : undefined;
          },
          5_000,
          'the account enabled',
        );
      }
      return { user, accountId };
    },

    async placeOrder(buyer, overrides = {}) {
      const data: OrderCreatedData = {
        id: randomUUID(),
        status: 'awaiting_payment',
        userId: buyer.id,
        expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
        version: 0,
        ticket: { id: randomUUID(), title: 'Concert', price: 2500, currency: 'usd' },
        ...overrides,
      };
      await harness.publish('order.created', data);
      await waitFor(() => harness.orderRow(data.id), 5_000, `order ${data.id} in the replica`);
      return data;
    },

    async cancelOrder(order) {
      await harness.publish('order.cancelled', { id: order.id, version: 1, ticket: { id: order.ticket.id } });
      await waitFor(
        async () => (await harness.orderRow(order.id))?.status === 'cancelled',
        5_000,
        `order ${order.id} cancelled in the replica`,
      );
    },

    async completeOrder(order) {
      await harness.publish('order.completed', { id: order.id, version: 1, ticket: { id: order.ticket.id } });
      await waitFor(
        async () => (await harness.orderRow(order.id))?.status === 'complete',
        5_000,
        `order ${order.id} complete in the replica`,
      );
    },

    pay(buyer, orderId, paymentMethodId) {
      return request(app)
        .post('/api/payments')
        .set('authorization', buyer.authorization)
        .send(paymentMethodId === undefined ? { orderId } : { orderId, paymentMethodId });
    },

    getPayment(buyer, orderId) {
      return request(app).get(`/api/payments?orderId=${orderId}`).set('authorization', buyer.authorization);
    },

    postWebhook(payload, { timestamp, secret = webhookSecret } = {}) {
      const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
      return request(app)
        .post('/api/payments/webhook')
        .set('content-type', 'application/json')
        .set('stripe-signature', signature)
        .send(payload);
    },

    async paymentRow(orderId) {
      const { rows } = await pool.query<PaymentDbRow>('select * from payments where order_id = $1', [
        orderId,
      ]);
      return rows[0];
    },

    async orderRow(id) {
      const { rows } = await pool.query<OrderReplicaRow>('select * from orders where id = $1', [id]);
      return rows[0];
    },

    async paymentReaches(orderId, status) {
      return waitFor(
        async () => {
          const row = await harness.paymentRow(orderId);
          return row?.status === status ? row : undefined;
        },
        10_000,
        `payment of order ${orderId} to be ${status}`,
      );
    },

    async count(table) {
      const { rows } = await pool.query<{ n: string }>(`select count(*) as n from ${table}`);
      return Number(rows[0]?.n);
    },

    async counter(name) {
      const metric = await metrics.getSingleMetric(name)?.get();
      return metric?.values[0]?.value ?? 0;
    },

    async eventsFor(subject, orderId) {
      const all = await testbed.events(subject);
      return all.filter((envelope) => {
        const data = envelope.data as { id?: string; orderId?: string };
        return data.orderId === orderId || data.id === orderId;
      });
    },

    intentsFor(orderId) {
      return (sandbox.paymentIntents() as Stripe.PaymentIntent[]).filter(
        (intent) => intent.metadata.orderId === orderId,
      );
    },

    refundsOf(intentId) {
      return (sandbox.refunds() as Stripe.Refund[]).filter((refund) => refund.payment_intent === intentId);
    },

    consumerIdle: (subject) =>
      testbed.consumerSettled(streamFor(subject), durableNameFor('payments', subject)),

    async settled() {
      await sandbox.webhooksIdle();
      await testbed.outboxDrained();
    },
  };
  return harness;
}
