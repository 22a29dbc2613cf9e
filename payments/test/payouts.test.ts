import { randomUUID } from 'node:crypto';
import { useHarness, waitFor } from '@glotixz/common/testing';
import pino from 'pino';
import type Stripe from 'stripe';
import request from 'supertest';
import { createLedgerReconciler } from '../src/ledger/ledger-reconciler';
import { createPaymentMetrics } from '../src/payments/payment-metrics';
import { createPayoutWorker } from '../src/payouts/payout-worker';
import { createStripeClient } from '../src/stripe/stripe.client';
import { createStripeGateway } from '../src/stripe/stripe.gateway';
import { startPaymentsHarness, type TestUser } from './payments-harness';

const h = useHarness(startPaymentsHarness);
const silent = pino({ level: 'silent' });

async function accountStatusIs(user: TestUser, status: string) {
  await waitFor(
    async () => {
      const res = await request(h.app).get('/api/payouts/account').set('authorization', user.authorization);
      return res.body.status === status ? true : undefined;
    },
    5_000,
    `account of ${user.id} to be ${status}`,
  );
}

/** A paid order of `sellerId`: price 5000 + fee 599 in eur, its event started an hour ago. */
async function sale(sellerId: string, startsAt = new Date(Date.now() - 3_600_000)) {
  const buyer = h.user();
  const order = await h.placeOrder(buyer, {
    ticket: { id: randomUUID(), title: 'Opera', price: 5000, fee: 599, total: 5599, currency: 'eur' },
    sellerId,
    event: { id: randomUUID(), startsAt: startsAt.toISOString() },
  });
  await h.pay(buyer, order.id, 'pm_card_visa').expect(201);
  await h.paymentReaches(order.id, 'succeeded');
  return { order, buyer };
}

/** Moves the sale's transfer time to now (the hold itself is tested once, below). */
async function due(orderId: string) {
  await h.pool.query("update sales set transfer_at = now() - interval '1 second' where order_id = $1", [
    orderId,
  ]);
}

function transfersOf(orderId: string): Stripe.Transfer[] {
  return (h.sandbox.transfers() as Stripe.Transfer[]).filter((t) => t.transfer_group === orderId);
}

async function saleRow(orderId: string) {
  const { rows } = await h.pool.query('select * from sales where order_id = $1', [orderId]);
  return rows[0] as Record<string, unknown> | undefined;
}

/** Every ledger transaction's entries, per currency, sum to zero; answers the accounts' balances. */
async function ledger() {
  const { rows: unbalanced } = await h.pool.query(
    'select transaction_id, currency, sum(amount) from ledger_entries group by 1, 2 having sum(amount) <> 0',
  );
  expect(unbalanced).toEqual([]);
  const { rows } = await h.pool.query<{ account: string; currency: string; total: string }>(
    'select account, currency, sum(amount)::text as total from ledger_entries group by 1, 2',
  );
  return Object.fromEntries(rows.map((row) => [`${row.account} ${row.currency}`, Number(row.total)]));
}

async function ledgerOf(orderId: string) {
  const { rows } = await h.pool.query<{ kind: string; account: string; amount: string }>(
    `select t.kind, e.account, e.amount::text from ledger_entries e
       join ledger_transactions t on t.id = e.transaction_id where t.order_id = $1 order by e.id`,
    [orderId],
  );
  return rows.map((row) => ({ kind: row.kind, account: row.account, amount: Number(row.amount) }));
}

async function sales(user: TestUser) {
  const res = await request(h.app).get('/api/payouts').set('authorization', user.authorization).expect(200);
  return res.body as {
    items: { orderId: string; status: string; gross: number; fee: number; net: number; lastError?: string }[];
    totals: Record<string, { pending: number; scheduled: number; paid: number }>;
  };
}

describe('connected accounts', () => {
  it('creates one Express account per seller, and keeps its status from account.updated', async () => {
    const user = h.user();
    const none = await request(h.app).get('/api/payouts/account').set('authorization', user.authorization);
    expect(none.body).toEqual({ status: 'none' });

    const first = await request(h.app)
      .post('/api/payouts/account')
      .set('authorization', user.authorization)
      .expect(200);
    const again = await request(h.app)
      .post('/api/payouts/account')
      .set('authorization', user.authorization)
      .expect(200);
    expect(again.body.onboardingUrl).not.toBe(first.body.onboardingUrl);
    const mine = (h.sandbox.accounts() as Stripe.Account[]).filter((a) => a.metadata?.userId === user.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.type).toBe('express');
    const pending = await request(h.app).get('/api/payouts/account').set('authorization', user.authorization);
    expect(pending.body).toEqual({ status: 'pending' });

    h.sandbox.completeOnboarding(mine[0]!.id);
    await accountStatusIs(user, 'enabled');
    h.sandbox.restrictAccount(mine[0]!.id);
    await accountStatusIs(user, 'restricted');
  });

  it('asks to be signed in', async () => {
    await request(h.app).post('/api/payouts/account').expect(401);
    await request(h.app).get('/api/payouts/account').expect(401);
    await request(h.app).get('/api/payouts').expect(401);
  });
});

describe('payouts', () => {
  it('books the charge, holds the sale until the event started plus the hold, then transfers the price once', async () => {
    const { user: sellerUser, accountId } = await h.seller({ onboard: false });
    const { order } = await sale(sellerUser.id, new Date(Date.now() + 2_000));
    expect(await ledgerOf(order.id)).toEqual([
      { kind: 'charge', account: 'stripe:balance', amount: 5599 },
      { kind: 'charge', account: 'platform:fees', amount: -599 },
      { kind: 'charge', account: `seller:${sellerUser.id}:payable`, amount: -5000 },
    ]);
    let list = await sales(sellerUser);
    expect(list.items).toEqual([
      expect.objectContaining({
        orderId: order.id,
        title: 'Opera',
        gross: 5599,
        fee: 599,
        net: 5000,
        currency: 'eur',
        status: 'pending',
      }),
    ]);
    expect(list.totals).toEqual({ eur: { pending: 5000, scheduled: 0, paid: 0 } });

    h.sandbox.completeOnboarding(accountId);
    await accountStatusIs(sellerUser, 'enabled');
    list = await sales(sellerUser);
    expect(list.items[0]?.status).toBe('scheduled');

    // Not before the event started plus PAYOUT_HOLD_SECONDS (1 s in tests).
    expect(await h.payouts.payDue()).toBe(0);
    expect(transfersOf(order.id)).toEqual([]);
    await waitFor(async () => ((await h.payouts.payDue()) > 0 ? true : undefined), 8_000, 'the payout');

    const transfers = transfersOf(order.id);
    expect(transfers).toHaveLength(1);
    // Funded by the order's charge, which the payment recorded when it succeeded.
    const [intent] = h.intentsFor(order.id);
    expect(intent?.latest_charge).toMatch(/^ch_/);
    expect((await h.paymentRow(order.id))?.stripe_charge_id).toBe(intent?.latest_charge);
    expect(transfers[0]).toMatchObject({
      amount: 5000,
      currency: 'eur',
      destination: accountId,
      source_transaction: intent?.latest_charge,
    });
    list = await sales(sellerUser);
    expect(list.items[0]).toMatchObject({ status: 'paid', paidAt: expect.any(String) });
    expect(list.totals).toEqual({ eur: { pending: 0, scheduled: 0, paid: 5000 } });
    expect((await saleRow(order.id))?.stripe_transfer_id).toBe(transfers[0]?.id);
    const balances = await ledger();
    expect(balances[`seller:${sellerUser.id}:payable eur`]).toBe(0);
    expect(await h.payouts.payDue()).toBe(0);
    expect(transfersOf(order.id)).toHaveLength(1);
  });

  it('makes one transfer when two workers race, and when a worker died between Stripe and its record', async () => {
    const { user: sellerUser, accountId } = await h.seller();
    const raced = await sale(sellerUser.id);
    const crashed = await sale(sellerUser.id);
    // The crashed worker's call: Stripe made the transfer, nothing was recorded, its lease ran out.
    const gateway = createStripeGateway(createStripeClient(h.config));
    await gateway.createTransfer({
      orderId: crashed.order.id,
      amount: 5000,
      currency: 'eur',
      destination: accountId,
      sourceTransaction: (await h.paymentRow(crashed.order.id))?.stripe_charge_id,
    });
    await due(raced.order.id);
    await due(crashed.order.id);

    const second = createPayoutWorker({
      db: h.db,
      stripe: gateway,
      refunder: h.refunder,
      logger: silent,
      clock: h.clock,
      intervalMs: 60_000,
    });
    const paid = await Promise.all([h.payouts.payDue(), second.payDue(), h.payouts.payDue()]);
    expect(paid.reduce((a, b) => a + b, 0)).toBe(2);

    for (const { order } of [raced, crashed]) {
      expect(transfersOf(order.id)).toHaveLength(1);
      expect(await saleRow(order.id)).toMatchObject({
        status: 'paid',
        stripe_transfer_id: transfersOf(order.id)[0]?.id,
      });
      expect((await ledgerOf(order.id)).filter((e) => e.kind === 'transfer')).toHaveLength(2);
    }
  });

  it('leaves a failed transfer failed with its error, and retries it with backoff', async () => {
    const { user: sellerUser } = await h.seller();
    const { order } = await sale(sellerUser.id);
    await due(order.id);
    const failing = createPayoutWorker({
      db: h.db,
      stripe: {
        createTransfer: () => Promise.reject(new Error('Your destination account is restricted')),
        transfersOf: () => Promise.resolve([]),
        chargeOf: () => Promise.resolve(null),
      },
      refunder: h.refunder,
      logger: silent,
      clock: h.clock,
      intervalMs: 60_000,
      backoff: { baseMs: 300, capMs: 300 },
    });
    expect(await failing.payDue()).toBe(0);
    const list = await sales(sellerUser);
    expect(list.items[0]).toMatchObject({
      status: 'failed',
      lastError: 'Your destination account is restricted',
    });
    expect(list.totals.eur).toEqual({ pending: 0, scheduled: 5000, paid: 0 });
    expect(await h.payouts.payDue()).toBe(0); // backing off
    await waitFor(async () => ((await h.payouts.payDue()) > 0 ? true : undefined), 5_000, 'the retry');
    expect((await sales(sellerUser)).items[0]).toMatchObject({ status: 'paid' });
    expect((await sales(sellerUser)).items[0]?.lastError).toBeUndefined();
  });
});

describe('refundSale', () => {
  it('before the transfer: refunds the buyer in full and cancels the payout', async () => {
    const { user: sellerUser } = await h.seller();
    const { order, buyer } = await sale(sellerUser.id);
    expect(await h.refunder.refundSale(order.id, 'event_cancelled')).toBe('refunded');
    await due(order.id);
    expect(await h.payouts.payDue()).toBe(0);

    expect(transfersOf(order.id)).toEqual([]);
    const payment = await h.paymentRow(order.id);
    expect(payment).toMatchObject({ status: 'refunded' });
    expect(h.refundsOf(payment!.stripe_payment_intent_id)).toEqual([
      expect.objectContaining({ amount: 5599 }),
    ]);
    expect((await sales(sellerUser)).items[0]).toMatchObject({ status: 'reversed' });
    await h.settled();
    expect((await h.eventsFor('payment.refunded', order.id)).map((e) => e.data)).toEqual([
      expect.objectContaining({ amount: 5599, currency: 'eur', reason: 'event_cancelled', userId: buyer.id }),
    ]);
    const balances = await ledger();
    expect(balances[`seller:${sellerUser.id}:payable eur`]).toBe(0);
    expect((await ledgerOf(order.id)).map((e) => e.kind)).toEqual([
      'charge',
      'charge',
      'charge',
      'refund',
      'refund',
      'refund',
    ]);
    expect(await h.refunder.refundSale(order.id, 'event_cancelled')).toBe('already-refunded');
  });

  it('after the transfer: reverses it first, then refunds; every account of the order nets to zero', async () => {
    const { user: sellerUser } = await h.seller();
    const { order } = await sale(sellerUser.id);
    await due(order.id);
    expect(await h.payouts.payDue()).toBe(1);

    expect(await h.refunder.refundSale(order.id, 'event_cancelled')).toBe('refunded');
    const [transfer] = transfersOf(order.id);
    expect(transfer).toMatchObject({ amount: 5000, amount_reversed: 5000, reversed: true });
    expect(await h.paymentRow(order.id)).toMatchObject({ status: 'refunded' });
    expect(await saleRow(order.id)).toMatchObject({
      status: 'reversed',
      stripe_reversal_id: expect.any(String),
    });
    const entries = await ledgerOf(order.id);
    expect([...new Set(entries.map((e) => e.kind))]).toEqual(['charge', 'transfer', 'reversal', 'refund']);
    const perAccount = new Map<string, number>();
    for (const e of entries) perAccount.set(e.account, (perAccount.get(e.account) ?? 0) + e.amount);
    expect([...perAccount.values()].every((v) => v === 0)).toBe(true);
    await ledger();
  });

  it("follows a refund made in Stripe's dashboard (charge.refunded): the transfer is reversed, the refund recorded", async () => {
    const { user: sellerUser } = await h.seller();
    const { order } = await sale(sellerUser.id);
    await due(order.id);
    expect(await h.payouts.payDue()).toBe(1);
    const payment = await h.paymentRow(order.id);

    await h.stripe.refunds.create({ payment_intent: payment!.stripe_payment_intent_id });

    await h.paymentReaches(order.id, 'refunded');
    await waitFor(
      async () => ((await saleRow(order.id))?.status === 'reversed' ? true : undefined),
      5_000,
      'reversed',
    );
    expect(transfersOf(order.id)[0]).toMatchObject({ amount_reversed: 5000 });
    expect(h.refundsOf(payment!.stripe_payment_intent_id)).toHaveLength(1);
    await h.settled();
    expect(await h.eventsFor('payment.refunded', order.id)).toHaveLength(1);
    expect((await ledger())[`seller:${sellerUser.id}:payable eur`]).toBe(0);
  });
});

describe('the ledger', () => {
  it('rejects a transaction whose entries do not sum to zero, at commit', async () => {
    const client = await h.pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<{ id: string }>(
        "insert into ledger_transactions (kind, reference) values ('charge', $1) returning id",
        [`test-${randomUUID()}`],
      );
      await client.query(
        "insert into ledger_entries (transaction_id, account, currency, amount) values ($1, 'stripe:balance', 'usd', 100), ($1, 'platform:fees', 'usd', -99)",
        [rows[0]!.id],
      );
      await expect(client.query('commit')).rejects.toThrow(/does not balance/);
    } finally {
      client.release();
    }
    // Balanced per currency is the rule: the same amounts in two currencies do not offset.
    const other = await h.pool.connect();
    try {
      await other.query('begin');
      const { rows } = await other.query<{ id: string }>(
        "insert into ledger_transactions (kind, reference) values ('charge', $1) returning id",
        [`test-${randomUUID()}`],
      );
      await other.query(
        "insert into ledger_entries (transaction_id, account, currency, amount) values ($1, 'stripe:balance', 'usd', 100), ($1, 'platform:fees', 'eur', -100)",
        [rows[0]!.id],
      );
      await expect(other.query('commit')).rejects.toThrow(/does not balance/);
    } finally {
      other.release();
    }
    await expect(h.pool.query('update ledger_entries set amount = amount + 1')).rejects.toThrow(
      /append-only/,
    );
  });

  it('books the charge of an order from before payouts, and of a cancelled order, and their refunds, balanced', async () => {
    const buyer = h.user();
    const old = await h.placeOrder(buyer);
    await h.pay(buyer, old.id, 'pm_card_visa').expect(201);
    await h.paymentReaches(old.id, 'succeeded');
    expect(await ledgerOf(old.id)).toEqual([
      { kind: 'charge', account: 'stripe:balance', amount: 2500 },
      { kind: 'charge', account: 'platform:unallocated', amount: -2500 },
    ]);
    await h.cancelOrder(old);
    await h.paymentReaches(old.id, 'refunded');
    expect((await ledgerOf(old.id)).slice(2)).toEqual([
      { kind: 'refund', account: 'stripe:balance', amount: -2500 },
      { kind: 'refund', account: 'platform:unallocated', amount: 2500 },
    ]);
    await ledger();

    // Paid after its order was cancelled: owed back to the buyer, then refunded.
    const late = await h.placeOrder(buyer);
    await h.pay(buyer, late.id).expect(201);
    const [intent] = h.intentsFor(late.id);
    await h.cancelOrder(late);
    await h.stripe.paymentIntents.confirm(intent!.id, { payment_method: 'pm_card_visa' });
    await h.paymentReaches(late.id, 'refunded');
    expect(await ledgerOf(late.id)).toEqual([
      { kind: 'charge', account: 'stripe:balance', amount: 2500 },
      { kind: 'charge', account: `buyer:${buyer.id}`, amount: -2500 },
      { kind: 'refund', account: 'stripe:balance', amount: -2500 },
      { kind: 'refund', account: `buyer:${buyer.id}`, amount: 2500 },
    ]);
    await ledger();
  });

  it('agrees with Stripe in its reconciliation, and reports a difference, with when the pass started, as metrics and a log line', async () => {
    const { user: sellerUser } = await h.seller();
    const { order } = await sale(sellerUser.id);
    await due(order.id);
    await h.payouts.payDue();
    const metrics = createPaymentMetrics();
    const lines: { level: number; msg: string; [field: string]: unknown }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const gateway = createStripeGateway(createStripeClient(h.config));
    const reconciler = createLedgerReconciler({
      db: h.db,
      stripe: gateway,
      logger,
      metrics,
      intervalMs: 60_000,
    });
    const gauge = async (metric: 'ledgerDifferences' | 'ledgerReconciledAt') =>
      (await metrics[metric].get()).values[0]?.value;

    const before = Date.now();
    expect(await reconciler.reconcile()).toEqual([]);
    expect(await gauge('ledgerDifferences')).toBe(0);
    const firstStart = (await gauge('ledgerReconciledAt'))!;
    expect(firstStart * 1000).toBeGreaterThanOrEqual(before);
    expect(firstStart * 1000).toBeLessThanOrEqual(Date.now());
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        component: 'ledger-reconciler',
        msg: 'ledger agrees with Stripe',
        differences: 0,
        startedAt: new Date(firstStart * 1000).toISOString(),
        checkedOrders: expect.any(Number),
      }),
    ]);

    // A reversal made at Stripe that the ledger never heard of.
    const transferId = (await saleRow(order.id))?.stripe_transfer_id as string;
    await h.stripe.transfers.createReversal(transferId, { amount: 100 });
    const differences = await reconciler.reconcile();
    expect(differences).toEqual([expect.objectContaining({ kind: 'transfer_mismatch', orderId: order.id })]);
    expect(await gauge('ledgerDifferences')).toBe(1);
    const secondStart = (await gauge('ledgerReconciledAt'))!;
    expect(secondStart).toBeGreaterThanOrEqual(firstStart);
    expect(lines[1]).toMatchObject({
      level: 40,
      component: 'ledger-reconciler',
      msg: 'ledger differs from Stripe',
      differences: 1,
      startedAt: new Date(secondStart * 1000).toISOString(),
      sample: [expect.objectContaining({ kind: 'transfer_mismatch', orderId: order.id })],
    });

    // A pass that could not ask Stripe vouches for nothing: both gauges keep the last completed pass.
    const unreachable = createLedgerReconciler({
      db: h.db,
      stripe: { ...gateway, transfersOf: () => Promise.reject(new Error('connect ECONNREFUSED')) },
      logger,
      metrics,
      intervalMs: 60_000,
    });
    await expect(unreachable.reconcile()).rejects.toThrow('ECONNREFUSED');
    expect(await gauge('ledgerDifferences')).toBe(1);
    expect(await gauge('ledgerReconciledAt')).toBe(secondStart);
    expect(lines).toHaveLength(2);
  });
});
