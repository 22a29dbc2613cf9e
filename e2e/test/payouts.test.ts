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
  transferAt: string;
  paidAt?: string;
}

/** The hold a sale waits after its event starts, as production has it: one day. */
const holdSeconds = 86_400;
const day = 86_400_000;

/**
 * Sellers get paid (I10), on a payout clock the test moves instead of waiting: a seller onboards
 * through the sandbox's hosted Connect page, lists a seat for an event days ahead, a buyer pays
 * price + fee; the sale is scheduled for the event's start plus a day's hold and nothing is
 * transferred while the clock is before it, even though the payout worker has looked. Payments
 * is then restarted with `CLOCK_OFFSET_SECONDS` past that moment, and transfers exactly the price
 * to the seller's account, once; a refund made afterwards in Stripe's dashboard reverses that
 * transfer first. After every money movement the test waits for a ledger reconciliation that
 * started after it, and requires it to find no difference with Stripe.
 */
describe('payouts to sellers', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth', 'tickets', 'orders', 'payments'],
      orderLimits: { rateMax: 1_000 },
      env: {
        payments: {
          PAYOUT_HOLD_SECONDS: String(holdSeconds),
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
  /** How far payments' payout clock runs ahead of real time (its `CLOCK_OFFSET_SECONDS`). */
  let clockOffsetMs = 0;

  async function sandboxEvents(type: string): Promise<SandboxEvent[]> {
    const { body } = await api(system.sandbox!.url, 'GET', '/_sandbox/events');
    return (body.data as SandboxEvent[]).filter((e) => e.type === type);
  }

  async function salesOf(token: string): Promise<Sale[]> {
    const { status, body } = await api(payments(), 'GET', '/api/payouts', { token });
    expect(status).toBe(200);
    return body.items as Sale[];
  }

  /** Payments' metrics by name (labels dropped: these have one value each), from one scrape. */
  async function gauges(): Promise<Record<string, number>> {
    const text = await (await fetch(`${payments()}/metrics`)).text();
    const values: Record<string, number> = {};
    for (const line of text.split('\n')) {
      // `name{service="payments"} value`: every metric carries the service's label.
      const match = /^([a-z_]+)(?:\{[^}]*\})? (\S+)$/.exec(line);
      if (match) values[match[1]!] = Number(match[2]);
    }
    return values;
  }

  /**
   * Waits for a pass of the payout worker that started, by the payout clock, after `moment` (real
   * time) and found nothing more to pay: every sale due by then was transferred, or failed.
   */
  async function payoutWorkerRanAfter(moment: number): Promise<void> {
    await waitFor(
      async () => ((await gauges()).payouts_checked_timestamp_seconds ?? 0) * 1000 >= moment + clockOffsetMs,
      15_000,
      'a pass of the payout worker',
    );
  }

  /**
   * The ledger reconciles after a money movement: waits for a reconciliation that started after
   * `moment` (the movement was seen done), and requires it to have found no difference with Stripe.
   */
  async function expectLedgerReconciledAfter(moment: number): Promise<void> {
    const run = await waitFor(
      async () => {
        const values = await gauges();
        const startedAt = (values.ledger_reconciliation_started_timestamp_seconds ?? 0) * 1000;
        return startedAt > moment && values;
      },
      15_000,
      'a ledger reconciliation that started after the last money movement',
    );
    expect(run.ledger_reconciliation_differences).toBe(0);
  }

  /**
   * Restarts payments with its payout clock a minute past `transferAt` (the processes' clocks,
   * the database's and every other service's stay real).
   */
  async function moveClockPast(transferAt: string): Promise<void> {
    const offsetSeconds = Math.ceil((Date.parse(transferAt) - Date.now()) / 1000) + 60;
    await system.services.payments.restart({ env: { CLOCK_OFFSET_SECONDS: String(offsetSeconds) } });
    clockOffsetMs = offsetSeconds * 1000;
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

  /** Lists a seat for an event starting in `startsInMs` (real time), and a buyer pays for it. */
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

  it('transfers the price once the clock passes the event start plus the hold, once, and reverses it when the buyer is refunded', async () => {
    const { schedule } = (await api(system.services.orders.url, 'GET', '/api/orders/fees')).body as {
      schedule: FeeSchedule;
    };
    const { fee, total } = orderAmounts(2_500, 'usd', schedule);
    expect(fee).toBeGreaterThan(0);

    const seller = await onboardedSeller();
    const { orderId, startsAt } = await sell(seller, 3 * day);

    // Sold, not yet paid out: the event is days ahead, and then the hold.
    const [scheduled] = await waitFor(
      async () => {
        const sales = await salesOf(seller.token);
        return sales.length > 0 && sales;
      },
      15_000,
      'the sale to be booked',
    );
    const transferAt = new Date(Date.parse(startsAt) + holdSeconds * 1000).toISOString();
    expect(scheduled).toMatchObject({
      orderId,
      gross: total,
      fee,
      net: 2_500,
      currency: 'usd',
      status: 'scheduled',
      transferAt,
    });
    const charged = Date.now();
    await payoutWorkerRanAfter(charged);
    expect((await salesOf(seller.token))[0]).toMatchObject({ status: 'scheduled' });
    expect(
      (await sandboxEvents('transfer.created')).filter((e) => e.data.object.transfer_group === orderId),
    ).toEqual([]);
    await expectLedgerReconciledAfter(charged);

    // The clock passes the event's start plus the hold: one transfer of the price.
    await moveClockPast(transferAt);
    const [paid] = await waitFor(
      async () => {
        const sales = await salesOf(seller.token);
        return sales[0]?.status === 'paid' && sales;
      },
      30_000,
      'the payout once the clock passed the event start plus the hold',
    );
    const transferred = Date.now();
    expect(Date.parse(paid!.transferAt)).toBe(Date.parse(transferAt));
    expect(((await gauges()).payouts_checked_timestamp_seconds ?? 0) * 1000).toBeGreaterThan(
      Date.parse(transferAt),
    );
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
    await payoutWorkerRanAfter(transferred);
    expect(
      (await sandboxEvents('transfer.created')).filter((e) => e.data.object.transfer_group === orderId),
    ).toHaveLength(1);
    await expectLedgerReconciledAfter(transferred);
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
    const reversed = Date.now();
    const reversals = (await sandboxEvents('transfer.reversed')).filter(
      (e) => e.data.object.id === transfers[0]!.data.object.id,
    );
    expect(reversals.length).toBeGreaterThanOrEqual(1);
    await expectLedgerReconciledAfter(reversed);
    await expectInvariants(system);
  });

  it('retries a transfer Stripe refused (the account was restricted, its webhook lost) and pays it once the account is fixed', async () => {
    const seller = await onboardedSeller();
    const { orderId } = await sell(seller, 2 * day);
    const [booked] = await waitFor(
      async () => {
        const sales = await salesOf(seller.token);
        return sales.length === 1 && sales;
      },
      15_000,
      'the sale to be booked',
    );
    expect(booked).toMatchObject({ status: 'scheduled' });
    const charged = Date.now();
    await payoutWorkerRanAfter(charged);
    expect((await salesOf(seller.token))[0]).toMatchObject({ status: 'scheduled' });
    await expectLedgerReconciledAfter(charged);
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
      await moveClockPast(booked!.transferAt);
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
    const transferred = Date.now();
    const transfers = (await sandboxEvents('transfer.created')).filter(
      (e) => e.data.object.transfer_group === orderId,
    );
    expect(transfers).toHaveLength(1);
    expect(transfers[0]!.data.object).toMatchObject({ amount: 2_500, destination: accountId });
    await expectLedgerReconciledAfter(transferred);
    await expectInvariants(system);
  });
});
