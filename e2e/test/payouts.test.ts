import { orderAmounts, type FeeSchedule } from '@glotixz/common/events';
import { waitFor } from '@glotixz/common/testing';
import { api, createEventViaApi, signUp } from './support/api';
import { queryRows } from './support/db';
import { expectInvariants } from './support/invariants';
import { startSystem, type System } from './support/system';

interface SandboxEvent {
  type: string;
  data: {
    object: { id: string; amount: number; currency: string; destination?: string; transfer_group?: string };
  };
}

interface Sale {
  orderId: string;
  gross: number;
  fee: number;
  net: number;
  currency: string;
  status: string;
}

/**
 * Sellers get paid (I10): a seller onboards through the sandbox's hosted Connect page, lists a
 * seat for an event starting a few seconds later, a buyer pays price + fee; once the event has
 * started (plus a one-second hold) payments transfers exactly the price to the seller's account,
 * once; a refund made afterwards in Stripe's dashboard reverses that transfer first. The ledger
 * balances and agrees with Stripe after each step.
 */
describe('payouts to sellers', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth', 'tickets', 'orders', 'payments'],
      orderLimits: { rateMax: 1_000 },
      env: {
        payments: {
          PAYOUT_HOLD_SECONDS: '1',
          PAYOUT_INTERVAL_SECONDS: '1',
          LEDGER_RECONCILE_INTERVAL_SECONDS: '1',
          PAYOUT_RETRY_BASE_SECONDS: '1',
        },
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const payments = () => system.services.payments.url;

  async function sandboxEvents(type: string): Promise<SandboxEvent[]> {
    const { body } = await api(system.sandbox!.url, 'GET', '/_sandbox/events');
    return (body.data as SandboxEvent[]).filter((e) => e.type === type);
  }

  async function salesOf(token: string): Promise<Sale[]> {
    const { status, body } = await api(payments(), 'GET', '/api/payouts', { token });
    expect(status).toBe(200);
    return body.items as Sale[];
  }

  async function reconciliationDifferences(): Promise<number> {
    const text = await (await fetch(`${payments()}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('ledger_reconciliation_differences'));
    return Number(line?.split(' ').pop() ?? Number.NaN);
  }

  /** Calls the sandbox's Stripe API with the platform's secret key, as Stripe's dashboard would act. */
  async function stripePost(path: string, form = ''): Promise<Response> {
    return fetch(`${system.sandbox!.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${system.stripeSecretKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form,
    });
  }

  /** A seller who completed the hosted onboarding page. */
  async function onboardedSeller() {
    const seller = await signUp(system.services.auth.url, 'seller');
    const started = await api(payments(), 'POST', '/api/payouts/account', { token: seller.token });
    expect(started.status).toBe(200);
    const url = started.body.onboardingUrl as string;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Complete onboarding');
    const done = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=complete',
      redirect: 'manual',
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toContain('/my/earnings?onboarding=done');
    await waitFor(
      async () =>
        (await api(payments(), 'GET', '/api/payouts/account', { token: seller.token })).body.status ===
        'enabled',
      15_000,
      'account.updated to enable the account',
    );
    return seller;
  }

  /** Lists a seat for an event starting in `startsInMs`, and a buyer pays for it. */
  async function sell(seller: { token: string }, startsInMs: number) {
    const { tickets, orders } = system.services;
    const startsAt = new Date(Date.now() + startsInMs).toISOString();
    const eventId = await createEventViaApi(tickets.url, seller.token, {
      name: `Payout Night ${Date.now()}`,
      startsAt,
    });
    const listed = await api(tickets.url, 'POST', '/api/tickets', {
      token: seller.token,
      body: { eventId, price: 2_500, currency: 'usd' },
    });
    expect(listed.status).toBe(201);
    const buyer = await signUp(system.services.auth.url, 'buyer');
    const order = await waitFor(
      async () => {
        const res = await api(orders.url, 'POST', '/api/orders', {
          token: buyer.token,
          body: { ticketId: listed.body.id },
        });
        return res.status === 404 ? undefined : res;
      },
      15_000,
      'the orders replica to know the ticket',
    );
    expect(order.status).toBe(201);
    const orderId = order.body.id as string;
    const paid = await waitFor(
      async () => {
        const res = await api(payments(), 'POST', '/api/payments', {
          token: buyer.token,
          body: { orderId, paymentMethodId: 'pm_card_visa' },
        });
        return res.status === 404 ? undefined : res;
      },
      15_000,
      'payments to know the order',
    );
    expect(paid.status).toBe(201);
    return { orderId, startsAt };
  }

  it('transfers the price once the event has started, once, and reverses it when the buyer is refunded', async () => {
    const { schedule } = (await api(system.services.orders.url, 'GET', '/api/orders/fees')).body as {
      schedule: FeeSchedule;
    };
    const { fee, total } = orderAmounts(2_500, 'usd', schedule);
    expect(fee).toBeGreaterThan(0);

    const seller = await onboardedSeller();
    const { orderId, startsAt } = await sell(seller, 8_000);

    // Sold, not yet paid out: the event has not started.
    const [scheduled] = await waitFor(
      async () => {
        const sales = await salesOf(seller.token);
        return sales.length > 0 && sales;
      },
      15_000,
      'the sale to be booked',
    );
    expect(scheduled).toMatchObject({
      orderId,
      gross: total,
      fee,
      net: 2_500,
      currency: 'usd',
      status: 'scheduled',
    });
    expect(
      (await sandboxEvents('transfer.created')).filter((e) => e.data.object.transfer_group === orderId),
    ).toEqual([]);

    await waitFor(
      async () => (await salesOf(seller.token))[0]?.status === 'paid',
      30_000,
      'the payout after the event started',
    );
    expect(Date.now()).toBeGreaterThan(Date.parse(startsAt) + 1_000);
    const transfers = (await sandboxEvents('transfer.created')).filter(
      (e) => e.data.object.transfer_group === orderId,
    );
    expect(transfers).toHaveLength(1);
    expect(transfers[0]!.data.object).toMatchObject({ amount: 2_500, currency: 'usd' });
    const [account] = await queryRows<{ stripe_account_id: string }>(
      system.databases.payments,
      'select stripe_account_id from seller_accounts',
    );
    expect(transfers[0]!.data.object.destination).toBe(account?.stripe_account_id);
    await waitFor(
      async () => (await reconciliationDifferences()) === 0,
      10_000,
      'the ledger to agree with Stripe',
    );
    await expectInvariants(system);

    // A refund in Stripe's dashboard after the payout: payments reverses the transfer.
    const [payment] = await queryRows<{ stripe_payment_intent_id: string }>(
      system.databases.payments,
      `select stripe_payment_intent_id from payments where order_id = $1 and status = 'succeeded'`,
      [orderId],
    );
    const refund = await stripePost('/v1/refunds', `payment_intent=${payment!.stripe_payment_intent_id}`);
    expect(refund.status).toBe(200);
    await waitFor(
      async () => (await salesOf(seller.token))[0]?.status === 'reversed',
      20_000,
      'the transfer to be reversed',
    );
    const reversals = (await sandboxEvents('transfer.reversed')).filter(
      (e) => e.data.object.id === transfers[0]!.data.object.id,
    );
    expect(reversals.length).toBeGreaterThanOrEqual(1);
    await waitFor(
      async () => (await reconciliationDifferences()) === 0,
      10_000,
      'the ledger to agree with Stripe',
    );
    await expectInvariants(system);
  });

  it('retries a transfer Stripe refused (the account was restricted, its webhook lost) and pays it once the account is fixed', async () => {
    const seller = await onboardedSeller();
    const { orderId } = await sell(seller, 6_000);
    await waitFor(async () => (await salesOf(seller.token)).length === 1, 15_000, 'the sale to be booked');
    const [account] = await queryRows<{ stripe_account_id: string }>(
      system.databases.payments,
      'select stripe_account_id from seller_accounts where user_id = $1',
      [seller.id],
    );
    const accountId = account!.stripe_account_id;

    // Stripe restricts the account, and payments never hears of it.
    const webhook = (await api(system.sandbox!.url, 'GET', '/_sandbox/webhook')).body as { url: string };
    expect((await api(system.sandbox!.url, 'PUT', '/_sandbox/webhook', { body: { url: null } })).status).toBe(
      200,
    );
    try {
      expect((await stripePost(`/v1/test_helpers/accounts/${accountId}/restrict`)).status).toBe(200);
      const [failed] = await waitFor(
        async () => {
          const sales = await salesOf(seller.token);
          return sales[0]?.status === 'failed' && sales;
        },
        30_000,
        'the transfer to fail',
      );
      expect((failed as Sale & { lastError?: string }).lastError).toBeTruthy();
      expect(
        (await sandboxEvents('transfer.created')).filter((e) => e.data.object.transfer_group === orderId),
      ).toEqual([]);
      expect((await stripePost(`/v1/test_helpers/accounts/${accountId}/complete_onboarding`)).status).toBe(
        200,
      );
    } finally {
      await api(system.sandbox!.url, 'PUT', '/_sandbox/webhook', { body: { url: webhook.url } });
    }

    await waitFor(
      async () => (await salesOf(seller.token))[0]?.status === 'paid',
      30_000,
      'the retried transfer',
    );
    const transfers = (await sandboxEvents('transfer.created')).filter(
      (e) => e.data.object.transfer_group === orderId,
    );
    expect(transfers).toHaveLength(1);
    expect(transfers[0]!.data.object).toMatchObject({ amount: 2_500, destination: accountId });
    await waitFor(
      async () => (await reconciliationDifferences()) === 0,
      10_000,
      'the ledger to agree with Stripe',
    );
    await expectInvariants(system);
  });
});
