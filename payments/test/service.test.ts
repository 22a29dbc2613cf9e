import { randomBytes } from 'node:crypto';
import { createDb } from '@glotixz/common/db';
import {
  configIssuePaths,
  describeService,
  tokenVerifierDefaults,
  useHarness,
} from '@glotixz/common/testing';
import request from 'supertest';
import { createApp } from '../src/app';
import { configSchema } from '../src/config';
import * as schema from '../src/db/schema';
import { createPaymentMetrics } from '../src/payments/payment-metrics';
import { createStripeClient } from '../src/stripe/stripe.client';
import { createSaleRefunder } from '../src/payouts/refund-sale';
import { createStripeGateway } from '../src/stripe/stripe.gateway';
import { startPaymentsHarness } from './payments-harness';

const h = useHarness(startPaymentsHarness);

describeService({
  app: () => h.app,
  readyChecks: { postgres: 'ok', nats: 'ok' },
  docs: {
    path: '/api/payments/docs',
    paths: ['/api/payments', '/api/payments/webhook'],
    also({ paths, components }) {
      expect(Object.keys(paths['/api/payments'] as object)).toEqual(expect.arrayContaining(['get', 'post']));
      const pay = paths['/api/payments'].post;
      expect(pay.responses['402'].description).toContain('PAYMENT_DECLINED');
      expect(pay.responses['409'].description).toContain('ORDER_ALREADY_PAID');
      expect(pay.responses['409'].description).toContain('ORDER_NOT_PAYABLE');
      expect(pay.responses['503'].description).toContain('PAYMENT_PROVIDER_UNAVAILABLE');
      const webhook = paths['/api/payments/webhook'].post;
      expect(webhook.security).toEqual([]);
      expect(webhook.description).toContain('Stripe-Signature');
      expect(webhook.responses['400'].description).toContain('INVALID_SIGNATURE');
      expect(components.schemas.Payment).toBeDefined();
    },
  },
  unknownRoute: { path: '/api/payments/a/b' },
  faults: {
    build({ env, pool, logger }) {
      const config = configSchema.parse({
        ...env,
        STRIPE_SECRET_KEY: 'sk_test_down',
        STRIPE_WEBHOOK_SECRET: 'whsec_down',
        STRIPE_API_BASE: 'http://127.0.0.1:1',
      });
      return createApp({
        config,
        db: createDb(pool, schema),
        logger,
        natsReady: () => Promise.reject(new Error('NATS connection closed')),
        stripe: createStripeGateway(createStripeClient(config)),
        refunds: { wake: () => undefined },
        refunder: createSaleRefunder({
          db: createDb(pool, schema),
          stripe: createStripeGateway(createStripeClient(config)),
          logger,
        }),
        paymentMetrics: createPaymentMetrics(),
      }).app;
    },
    send: {
      path: '/api/payments',
      body: { orderId: '0b7f6c1e-2f4d-4d8a-9c3e-5a6b7c8d9e0f' },
      signedIn: true,
    },
    downChecks: { postgres: 'down', nats: 'down' },
  },
  config: {
    schema: configSchema,
    required: { STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' },
    invalid: {
      STRIPE_SECRET_KEY: 'pk_test_abc',
      STRIPE_WEBHOOK_SECRET: 'secret',
      STRIPE_API_BASE: 'ftp://x',
      STRIPE_PUBLISHABLE_KEY: 'sk_test_abc',
      REFUND_INTERVAL_SECONDS: '0',
    },
    invalidPaths: [
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_API_BASE',
      'STRIPE_PUBLISHABLE_KEY',
      'REFUND_INTERVAL_SECONDS',
    ],
    also(valid) {
      it('applies the documented defaults and talks to Stripe itself without STRIPE_API_BASE', () => {
        const config = configSchema.parse({ ...valid(), STRIPE_API_BASE: '' });
        expect(config).toMatchObject({
          ...tokenVerifierDefaults,
          PORT: 3004,
          STRIPE_TIMEOUT_MS: 10_000,
          REFUND_INTERVAL_SECONDS: 5,
        });
        expect(config.STRIPE_API_BASE).toBeUndefined();
        expect(config.STRIPE_PUBLISHABLE_KEY).toBeUndefined();
      });

      it('reads the sandbox endpoint from STRIPE_API_BASE', () => {
        expect(
          configSchema.parse({ ...valid(), STRIPE_API_BASE: 'http://127.0.0.1:12111' }).STRIPE_API_BASE,
        ).toEqual({
          host: '127.0.0.1',
          port: 12111,
          protocol: 'http',
        });
        expect(
          configSchema.parse({ ...valid(), STRIPE_API_BASE: 'https://stripe.test' }).STRIPE_API_BASE,
        ).toEqual({
          host: 'stripe.test',
          port: 443,
          protocol: 'https',
        });
      });

      it('accepts restricted and live keys', () => {
        // Random stand-ins of the right shape, made at run time: no key-like literal in the source.
        const fake = (kind: 'rk' | 'sk' | 'pk') => [kind, 'live', randomBytes(12).toString('hex')].join('_');
        expect(configSchema.safeParse({ ...valid(), STRIPE_SECRET_KEY: fake('rk') }).success).toBe(true);
        expect(
          configSchema.safeParse({
            ...valid(),
            STRIPE_SECRET_KEY: fake('sk'),
            STRIPE_PUBLISHABLE_KEY: fake('pk'),
          }).success,
        ).toBe(true);
      });

      it('refuses a publishable key from the other mode than the secret key', () => {
        expect(configIssuePaths(configSchema, { ...valid(), STRIPE_PUBLISHABLE_KEY: 'pk_live_abc' })).toEqual(
          ['STRIPE_PUBLISHABLE_KEY'],
        );
      });
    },
  },
});

describe('payment metrics', () => {
  it('counts succeeded, declined and refunded payments on /metrics', async () => {
    const buyer = h.user();
    const declined = await h.placeOrder(buyer);
    await h.pay(buyer, declined.id, 'pm_card_chargeDeclined').expect(402);
    const refunded = await h.placeOrder(buyer);
    await h.pay(buyer, refunded.id, 'pm_card_visa').expect(201);
    await h.paymentReaches(refunded.id, 'succeeded');
    await h.cancelOrder(refunded);
    await h.paymentReaches(refunded.id, 'refunded');
    await h.settled();

    const res = await request(h.app).get('/metrics').expect(200);
    expect(res.text).toMatch(/^payments_succeeded_total\{service="payments"\} 1$/m);
    expect(res.text).toMatch(/^payments_declined_total\{service="payments"\} 1$/m);
    expect(res.text).toMatch(/^payments_refunded_total\{service="payments"\} 1$/m);
    expect(res.text).toMatch(/route="\/api\/payments"/);
    expect(res.text).toMatch(
      /^bus_messages_handled_total\{consumer="[^"]+",subject="order.created",outcome="acked",service="payments"\} [1-9]\d*$/m,
    );
    expect(res.text).toMatch(/^outbox_published_total\{service="payments"\} [1-9]\d*$/m);
    expect(res.text).toMatch(/^outbox_backlog_events\{service="payments"\} \d+$/m);
  });
});
