import Stripe from 'stripe';
import type { StripeSandbox } from '@glotixz/stripe-sandbox';
import {
  WEBHOOK_SECRET,
  intentParams,
  rejectionOf,
  startTestSandbox,
  startWebhookReceiver,
  stripeFor,
  type WebhookReceiver,
} from './harness';

let sandbox: StripeSandbox;
let receiver: WebhookReceiver;
let stripe: Stripe;

beforeEach(async () => {
  receiver = await startWebhookReceiver();
  sandbox = await startTestSandbox({ webhookUrl: receiver.url });
  stripe = stripeFor(sandbox);
});

afterEach(async () => {
  await sandbox.close();
  await receiver.close();
});

/** A sale paid by a buyer: the charge is in the platform's balance. */
function sale(orderId: string, amount: number, currency = 'usd'): Promise<Stripe.PaymentIntent> {
  return stripe.paymentIntents.create(
    intentParams({
      amount,
      currency,
      payment_method: 'pm_card_visa',
      confirm: true,
      transfer_group: orderId,
    }),
  );
}

/** A seller whose onboarding is complete. */
async function enabledSeller(): Promise<Stripe.Account> {
  const account = await stripe.accounts.create({
    type: 'express',
    capabilities: { transfers: { requested: true }, card_payments: { requested: true } },
  });
  await stripe.rawRequest('POST', `/v1/test_helpers/accounts/${account.id}/complete_onboarding`, {});
  return account;
}

const available = async (currency = 'usd') =>
  (await stripe.balance.retrieve()).available.find((entry) => entry.currency === currency)?.amount ?? 0;

describe('balance', () => {
  it('starts at zero, grows with succeeded charges only, and shrinks with refunds', async () => {
    expect(await stripe.balance.retrieve()).toMatchObject({
      object: 'balance',
      livemode: false,
      available: [{ amount: 0, currency: 'usd' }],
      pending: [{ amount: 0, currency: 'usd' }],
    });
    const paid = await sale('o-b1', 2500);
    expect(paid.transfer_group).toBe('o-b1');
    expect((await stripe.charges.retrieve(paid.latest_charge as string)).transfer_group).toBe('o-b1');
    await rejectionOf(
      stripe.paymentIntents.create(intentParams({ payment_method: 'pm_card_chargeDeclined', confirm: true })),
    );
    await sale('o-b2', 1000, 'eur');
    expect(await available('usd')).toBe(2500);
    expect(await available('eur')).toBe(1000);
    await stripe.refunds.create({ payment_intent: paid.id, amount: 500 });
    expect(await available('usd')).toBe(2000);
    expect(sandbox.balance()).toMatchObject({ object: 'balance' });
  });

  it('keeps transfer_group on PaymentIntents and lets it be updated', async () => {
    const intent = await stripe.paymentIntents.create(intentParams({ transfer_group: 'o-g1' }));
    expect(intent.transfer_group).toBe('o-g1');
    const moved = await stripe.paymentIntents.update(intent.id, { transfer_group: 'o-g2' });
    expect(moved.transfer_group).toBe('o-g2');
    expect((await stripe.paymentIntents.retrieve(intent.id)).transfer_group).toBe('o-g2');
  });
});

describe('transfers', () => {
  it('sends the seller amount to an enabled account, takes it from the balance and fires transfer.created', async () => {
    await sale('order-t1', 2849);
    const seller = await enabledSeller();
    const transfer = await stripe.transfers.create(
      {
        amount: 2500,
        currency: 'usd',
        destination: seller.id,
        transfer_group: 'order-t1',
        metadata: { orderId: 'order-t1' },
      },
      { idempotencyKey: 'payout-order-t1' },
    );
    expect(transfer.id).toMatch(/^tr_/);
    expect(transfer).toMatchObject({
      object: 'transfer',
      amount: 2500,
      amount_reversed: 0,
      currency: 'usd',
      destination: seller.id,
      transfer_group: 'order-t1',
      reversed: false,
      livemode: false,
      metadata: { orderId: 'order-t1' },
      reversals: {
        object: 'list',
        data: [],
        has_more: false,
        total_count: 0,
        url: `/v1/transfers/${transfer.id}/reversals`,
      },
    });
    expect(transfer.destination_payment).toMatch(/^py_/);
    expect(await available()).toBe(349);
    expect({ ...(await stripe.transfers.retrieve(transfer.id)) }).toEqual({ ...transfer });

    await sandbox.webhooksIdle();
    const [webhook] = receiver.ofType('transfer.created');
    const event = stripe.webhooks.constructEvent(
      webhook!.rawBody,
      webhook!.headers['stripe-signature'] as string,
      WEBHOOK_SECRET,
    );
    expect(event.data.object).toMatchObject({ id: transfer.id, amount: 2500 });
    expect(event.request).toMatchObject({ idempotency_key: 'payout-order-t1' });
  });

  it('makes exactly one transfer per idempotency key, and refuses the key with other parameters', async () => {
    await sale('order-t2', 5000);
    const seller = await enabledSeller();
    const params = { amount: 2000, currency: 'usd', destination: seller.id, transfer_group: 'order-t2' };
    const [a, b] = await Promise.all([
      stripe.transfers.create(params, { idempotencyKey: 'payout-order-t2' }),
      stripe.transfers.create(params, { idempotencyKey: 'payout-order-t2' }),
    ]);
    expect(b.id).toBe(a.id);
    const again = await stripe.transfers.create(params, { idempotencyKey: 'payout-order-t2' });
    expect(again.id).toBe(a.id);
    expect(sandbox.transfers()).toHaveLength(1);
    expect(await available()).toBe(3000);

    const other = await rejectionOf(
      stripe.transfers.create({ ...params, amount: 1999 }, { idempotencyKey: 'payout-order-t2' }),
    );
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    await sandbox.webhooksIdle();
    expect(receiver.ofType('transfer.created')).toHaveLength(1);
  });

  it('refuses more than the available balance with balance_insufficient', async () => {
    await sale('order-t3', 1000);
    const seller = await enabledSeller();
    const error = await rejectionOf(
      stripe.transfers.create({ amount: 1001, currency: 'usd', destination: seller.id }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, code: 'balance_insufficient' });
    expect(error.message).toMatch(/^Insufficient funds in Stripe account/);
    const otherCurrency = await rejectionOf(
      stripe.transfers.create({ amount: 100, currency: 'eur', destination: seller.id }),
    );
    expect(otherCurrency.code).toBe('balance_insufficient');
    expect(await available()).toBe(1000);
  });

  it('refuses an account that has not onboarded, or was restricted', async () => {
    await sale('order-t4', 5000);
    const fresh = await stripe.accounts.create({ type: 'express' });
    const error = await rejectionOf(
      stripe.transfers.create({ amount: 100, currency: 'usd', destination: fresh.id }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'insufficient_capabilities_for_transfer',
      param: 'destination',
    });

    const seller = await enabledSeller();
    await stripe.transfers.create({ amount: 100, currency: 'usd', destination: seller.id });
    sandbox.restrictAccount(seller.id);
    const restricted = await rejectionOf(
      stripe.transfers.create({ amount: 100, currency: 'usd', destination: seller.id }),
    );
    expect(restricted.code).toBe('insufficient_capabilities_for_transfer');
    expect(await available()).toBe(4900);
  });

  it.each([
    ['an unknown destination', { destination: 'acct_nope' }, 'destination', 'resource_missing'],
    ['no destination', { destination: undefined }, 'destination', 'parameter_missing'],
    ['a zero amount', { amount: 0 }, 'amount', 'parameter_invalid_integer'],
    ['an amount above the maximum', { amount: 100_000_000 }, 'amount', 'amount_too_large'],
    ['a bad currency', { currency: 'xyz1' }, 'currency', undefined],
  ])('refuses %s with 400', async (_what, overrides, param, code) => {
    const params = {
      amount: 100,
      currency: 'usd',
      destination: 'acct_x',
      ...overrides,
    } as Stripe.TransferCreateParams;
    const error = await rejectionOf(stripe.transfers.create(params));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 400, param, code });
  });

  it('answers 404 for an unknown transfer', async () => {
    const error = await rejectionOf(stripe.transfers.retrieve('tr_nope'));
    expect(error).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      message: "No such transfer: 'tr_nope'",
    });
  });

  it('lists transfers newest first, by transfer_group or destination, with cursors', async () => {
    await sale('order-l', 10_000);
    const [one, two] = [await enabledSeller(), await enabledSeller()];
    const made: Stripe.Transfer[] = [];
    for (const [destination, group] of [
      [one.id, 'order-l1'],
      [two.id, 'order-l2'],
      [one.id, 'order-l3'],
      [one.id, 'order-l1'],
    ] as const) {
      made.push(
        await stripe.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: group }),
      );
    }
    const byGroup = await stripe.transfers.list({ transfer_group: 'order-l1' });
    expect(byGroup.object).toBe('list');
    expect(byGroup.data.map((t) => t.id)).toEqual([made[3]!.id, made[0]!.id]);
    const byDestination = await stripe.transfers.list({ destination: one.id, limit: 2 });
    expect(byDestination.data.map((t) => t.id)).toEqual([made[3]!.id, made[2]!.id]);
    expect(byDestination.has_more).toBe(true);
    const all: string[] = [];
    for await (const transfer of stripe.transfers.list({ limit: 1 })) all.push(transfer.id);
    expect(all).toEqual(made.map((t) => t.id).reverse());
    const none = await stripe.transfers.list({ transfer_group: 'order-none' });
    expect(none).toMatchObject({ data: [], has_more: false });
  });
});

describe('transfers funded by a charge (source_transaction)', () => {
  it('transfers at once from a charge whose funds are not available, and names the charge', async () => {
    const paid = await sale('order-s1', 3000);
    const seller = await enabledSeller();
    // Another transfer took the available balance: only the charge can fund this one.
    await stripe.transfers.create({ amount: 3000, currency: 'usd', destination: seller.id });
    expect(await available()).toBe(0);
    const short = await rejectionOf(
      stripe.transfers.create({ amount: 2500, currency: 'usd', destination: seller.id }),
    );
    expect(short).toMatchObject({ code: 'balance_insufficient' });

    const charge = paid.latest_charge as string;
    const transfer = await stripe.transfers.create({
      amount: 2500,
      currency: 'usd',
      destination: seller.id,
      transfer_group: 'order-s1',
      source_transaction: charge,
    });
    expect(transfer).toMatchObject({ amount: 2500, source_transaction: charge, transfer_group: 'order-s1' });
    expect((await stripe.transfers.retrieve(transfer.id)).source_transaction).toBe(charge);
    const plain = await stripe.transfers.list({ transfer_group: 'order-s1' });
    expect(plain.data.map((item) => item.source_transaction)).toEqual([charge]);
  });

  it('refuses more than the charge has left after its refunds and earlier transfers', async () => {
    const paid = await sale('order-s2', 5000);
    const charge = paid.latest_charge as string;
    const seller = await enabledSeller();
    const params = { currency: 'usd', destination: seller.id, source_transaction: charge };
    const tooLarge = await rejectionOf(stripe.transfers.create({ ...params, amount: 5001 }));
    expect(tooLarge).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooLarge).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    expect(tooLarge.message).toContain(charge);

    await stripe.transfers.create({ ...params, amount: 3000 });
    await stripe.refunds.create({ charge, amount: 1500 });
    const rest = await rejectionOf(stripe.transfers.create({ ...params, amount: 501 }));
    expect(rest).toMatchObject({ code: 'amount_too_large', param: 'amount' });
    expect(rest.message).toContain('$5.00');
    expect(await stripe.transfers.create({ ...params, amount: 500 })).toMatchObject({
      source_transaction: charge,
    });
  });

  it('refuses an unknown charge, a failed one, and one in another currency', async () => {
    const seller = await enabledSeller();
    const eurCharge = (await sale('order-s3', 4000, 'eur')).latest_charge as string;
    const unknown = await rejectionOf(
      stripe.transfers.create({
        amount: 100,
        currency: 'usd',
        destination: seller.id,
        source_transaction: 'ch_unknown',
      }),
    );
    expect(unknown).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'source_transaction',
      message: "No such charge: 'ch_unknown'",
    });

    const mismatch = await rejectionOf(
      stripe.transfers.create({
        amount: 100,
        currency: 'usd',
        destination: seller.id,
        source_transaction: eurCharge,
      }),
    );
    expect(mismatch).toMatchObject({ statusCode: 400, param: 'currency' });
    expect(mismatch.message).toBe(
      "The currency of source_transaction's balance transaction (eur) must be the same as the transfer currency (usd)",
    );

    const declined = await rejectionOf(
      stripe.paymentIntents.create(
        intentParams({ amount: 5000, payment_method: 'pm_card_chargeDeclined', confirm: true }),
      ),
    );
    expect(declined.charge).toMatch(/^ch_/);
    const failed = await rejectionOf(
      stripe.transfers.create({
        amount: 100,
        currency: 'usd',
        destination: seller.id,
        source_transaction: declined.charge!,
      }),
    );
    expect(failed).toMatchObject({ statusCode: 400, param: 'source_transaction' });
    expect(sandbox.transfers()).toHaveLength(0);
  });
});

describe('refund lists', () => {
  it('lists refunds newest first, by charge or PaymentIntent, with cursors', async () => {
    const a = await sale('order-r1', 3000);
    const b = await sale('order-r2', 3000);
    const first = await stripe.refunds.create({ payment_intent: a.id, amount: 1000 });
    const second = await stripe.refunds.create({ charge: a.latest_charge as string, amount: 500 });
    const other = await stripe.refunds.create({ payment_intent: b.id });
    const all = await stripe.refunds.list();
    expect(all).toMatchObject({ object: 'list', has_more: false, url: '/v1/refunds' });
    expect(all.data.map((refund) => refund.id)).toEqual([other.id, second.id, first.id]);
    const ofA = await stripe.refunds.list({ payment_intent: a.id });
    expect(ofA.data.map((refund) => refund.id)).toEqual([second.id, first.id]);
    const byCharge = await stripe.refunds.list({ charge: a.latest_charge as string, limit: 1 });
    expect(byCharge).toMatchObject({ has_more: true, data: [{ id: second.id }] });
    const next = await stripe.refunds.list({
      charge: a.latest_charge as string,
      limit: 1,
      starting_after: second.id,
    });
    expect(next).toMatchObject({ has_more: false, data: [{ id: first.id }] });
    const paged: string[] = [];
    for await (const refund of stripe.refunds.list({ limit: 1 })) paged.push(refund.id);
    expect(paged).toEqual([other.id, second.id, first.id]);
    const badCursor = await rejectionOf(stripe.refunds.list({ starting_after: 're_unknown' }));
    expect(badCursor).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'starting_after' });
  });
});

describe('transfer reversals', () => {
  async function paidOut(orderId: string, amount = 2000): Promise<Stripe.Transfer> {
    await sale(orderId, amount);
    const seller = await enabledSeller();
    return stripe.transfers.create({
      amount,
      currency: 'usd',
      destination: seller.id,
      transfer_group: orderId,
    });
  }

  it('reverses in full by default, gives the balance back and fires transfer.reversed', async () => {
    const transfer = await paidOut('order-r1');
    expect(await available()).toBe(0);
    const reversal = await stripe.transfers.createReversal(
      transfer.id,
      { metadata: { reason: 'refund' } },
      { idempotencyKey: 'reversal-order-r1' },
    );
    expect(reversal.id).toMatch(/^trr_/);
    expect(reversal).toMatchObject({
      object: 'transfer_reversal',
      amount: 2000,
      currency: 'usd',
      transfer: transfer.id,
      metadata: { reason: 'refund' },
      source_refund: null,
    });
    const again = await stripe.transfers.createReversal(
      transfer.id,
      { metadata: { reason: 'refund' } },
      { idempotencyKey: 'reversal-order-r1' },
    );
    expect(again.id).toBe(reversal.id);
    expect(await available()).toBe(2000);

    const reversed = await stripe.transfers.retrieve(transfer.id);
    expect(reversed).toMatchObject({ amount_reversed: 2000, reversed: true, reversals: { total_count: 1 } });
    expect(reversed.reversals.data[0]).toEqual(reversal);
    expect((await stripe.transfers.listReversals(transfer.id)).data.map((r) => r.id)).toEqual([reversal.id]);
    expect(await stripe.transfers.retrieveReversal(transfer.id, reversal.id)).toMatchObject({
      id: reversal.id,
    });

    await sandbox.webhooksIdle();
    const webhooks = receiver.ofType('transfer.reversed');
    expect(webhooks).toHaveLength(1);
    expect(webhooks[0]!.event.data.object).toMatchObject({
      id: transfer.id,
      reversed: true,
      amount_reversed: 2000,
    });

    const twice = await rejectionOf(stripe.transfers.createReversal(transfer.id));
    expect(twice).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(twice.statusCode).toBe(400);
  });

  it('reverses in parts and refuses more than what is left', async () => {
    const transfer = await paidOut('order-r2', 1000);
    await stripe.transfers.createReversal(transfer.id, { amount: 300 });
    const over = await rejectionOf(stripe.transfers.createReversal(transfer.id, { amount: 701 }));
    expect(over).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    const rest = await stripe.transfers.createReversal(transfer.id);
    expect(rest.amount).toBe(700);
    const done = await stripe.transfers.retrieve(transfer.id);
    expect(done).toMatchObject({ amount_reversed: 1000, reversed: true, reversals: { total_count: 2 } });
    await sandbox.webhooksIdle();
    expect(
      receiver.ofType('transfer.reversed').map(({ event }) => event.data.object.amount_reversed),
    ).toEqual([300, 1000]);
  });

  it('answers 404 for an unknown transfer or reversal', async () => {
    expect(await rejectionOf(stripe.transfers.createReversal('tr_nope'))).toMatchObject({ statusCode: 404 });
    const transfer = await paidOut('order-r3');
    expect(await rejectionOf(stripe.transfers.retrieveReversal(transfer.id, 'trr_nope'))).toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });
});
