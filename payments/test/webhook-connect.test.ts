import { randomBytes } from 'node:crypto';
import { useHarness, waitFor } from '@glotixz/common/testing';
import type Stripe from 'stripe';
import request from 'supertest';
import { configSchema } from '../src/config';
import { startPaymentsHarness, type TestUser } from './payments-harness';

const connectSecret = `whsec_${randomBytes(24).toString('hex')}`;

// The sandbox signs the connected accounts' events with the Connect endpoint's secret, as Stripe
// does, and the platform's own events with STRIPE_WEBHOOK_SECRET.
const h = useHarness(() => startPaymentsHarness({ env: { STRIPE_CONNECT_WEBHOOK_SECRET: connectSecret } }));

async function statusOf(user: TestUser): Promise<string> {
  const res = await request(h.app).get('/api/payouts/account').set('authorization', user.authorization);
  return (res.body as { status: string }).status;
}

/** An `account.updated` as Stripe sends it to a Connect endpoint: the account enabled. */
function accountUpdated(accountId: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    account: accountId,
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    type: 'account.updated',
    data: {
      object: {
        id: accountId,
        object: 'account',
        payouts_enabled: true,
        capabilities: { transfers: 'active' },
        requirements: { disabled_reason: null },
      },
    },
    ...overrides,
  });
}

describe('webhooks of the Connect endpoint', () => {
  it("keeps a seller's account status from account.updated signed with the Connect secret", async () => {
    const { user, accountId } = await h.seller({ onboard: false });
    expect(await statusOf(user)).toBe('pending');

    h.sandbox.completeOnboarding(accountId);
    await waitFor(async () => ((await statusOf(user)) === 'enabled' ? true : undefined), 5_000, 'enabled');

    const delivered = (h.sandbox.events() as Stripe.Event[]).filter((e) => e.type === 'account.updated');
    expect(delivered.at(-1)?.account).toBe(accountId);
    const answered = h.sandbox.deliveries().filter((d) => d.eventId === delivered.at(-1)?.id);
    expect(answered.map((d) => d.status)).toEqual([200]);
  });

  it('applies an account.updated posted with the Connect secret, and answers a replay as a duplicate', async () => {
    const { user, accountId } = await h.seller({ onboard: false });
    const payload = accountUpdated(accountId);

    const first = await h.postWebhook(payload, { secret: connectSecret }).expect(200);
    expect(first.body).toEqual({ received: true, duplicate: false });
    expect(await statusOf(user)).toBe('enabled');
    const again = await h.postWebhook(payload, { secret: connectSecret }).expect(200);
    expect(again.body).toEqual({ received: true, duplicate: true });
  });

  it('refuses an account.updated signed with neither secret with 400 INVALID_SIGNATURE', async () => {
    const { user, accountId } = await h.seller({ onboard: false });
    const before = await h.count('stripe_events');

    const res = await h.postWebhook(accountUpdated(accountId), { secret: 'whsec_not_ours' }).expect(400);
    expect(res.body.code).toBe('INVALID_SIGNATURE');
    expect(await statusOf(user)).toBe('pending');
    expect(await h.count('stripe_events')).toBe(before);
  });

  it('refuses a Connect event without its account, or about another account, with 400 BAD_REQUEST', async () => {
    const { user, accountId } = await h.seller({ onboard: false });
    const other = await h.seller({ onboard: false });
    const before = await h.count('stripe_events');

    const anonymous = await h
      .postWebhook(accountUpdated(accountId, { account: undefined }), { secret: connectSecret })
      .expect(400);
    expect(anonymous.body.code).toBe('BAD_REQUEST');
    const crossed = await h
      .postWebhook(accountUpdated(accountId, { account: other.accountId }), { secret: connectSecret })
      .expect(400);
    expect(crossed.body.code).toBe('BAD_REQUEST');
    expect(await statusOf(user)).toBe('pending');
    expect(await statusOf(other.user)).toBe('pending');
    expect(await h.count('stripe_events')).toBe(before);
  });

  it("ignores a payment made on a seller's own account, whatever its PaymentIntent", async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.pay(buyer, order.id).expect(201);
    const [intent] = h.intentsFor(order.id);
    const { accountId } = await h.seller({ onboard: false });
    const before = await h.count('stripe_events');

    const payload = JSON.stringify({
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      account: accountId,
      type: 'payment_intent.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: { object: { ...intent, status: 'succeeded' } },
    });
    const res = await h.postWebhook(payload, { secret: connectSecret }).expect(200);
    expect(res.body).toEqual({ received: true, duplicate: false });
    expect((await h.paymentRow(order.id))?.status).not.toBe('succeeded');
    expect(await h.count('stripe_events')).toBe(before);
  });

  it("still handles the platform's own events, signed with STRIPE_WEBHOOK_SECRET", async () => {
    const buyer = h.user();
    const order = await h.placeOrder(buyer);
    await h.pay(buyer, order.id, 'pm_card_visa').expect(201);
    await h.paymentReaches(order.id, 'succeeded');
  });

  it('refuses a Connect secret that is not whsec_…, and takes an empty one as unset', () => {
    const problems = (value: string) =>
      (configSchema.safeParse({ STRIPE_CONNECT_WEBHOOK_SECRET: value }).error?.issues ?? []).map((issue) =>
        issue.path.join('.'),
      );
    expect(problems('secret')).toContain('STRIPE_CONNECT_WEBHOOK_SECRET');
    expect(problems('')).not.toContain('STRIPE_CONNECT_WEBHOOK_SECRET');
    expect(problems('whsec_abc')).not.toContain('STRIPE_CONNECT_WEBHOOK_SECRET');
    expect(h.config.STRIPE_CONNECT_WEBHOOK_SECRET).toBe(connectSecret);
  });
});
