import { randomUUID } from 'node:crypto';
import { useHarness } from '@glotixz/common/testing';
import pino from 'pino';
import type Stripe from 'stripe';
import { createLedgerReconciler } from '../src/ledger/ledger-reconciler';
import { createPaymentMetrics } from '../src/payments/payment-metrics';
import { createStripeClient } from '../src/stripe/stripe.client';
import { createStripeGateway } from '../src/stripe/stripe.gateway';
import { startPaymentsHarness } from './payments-harness';

const h = useHarness(startPaymentsHarness);

/** A paid order of `sellerId` (5000 + fee 599 eur) whose payout is due now. */
async function dueSale(sellerId: string) {
  const buyer = h.user();
  const order = await h.placeOrder(buyer, {
    ticket: { id: randomUUID(), title: 'Ballet', price: 5000, fee: 599, total: 5599, currency: 'eur' },
    sellerId,
    event: { id: randomUUID(), startsAt: new Date(Date.now() - 3_600_000).toISOString() },
  });
  await h.pay(buyer, order.id, 'pm_card_visa').expect(201);
  const payment = await h.paymentReaches(order.id, 'succeeded');
  await h.pool.query("update sales set transfer_at = now() - interval '1 second' where order_id = $1", [
    order.id,
  ]);
  return { order, payment };
}

function transfersOf(orderId: string): Stripe.Transfer[] {
  return (h.sandbox.transfers() as Stripe.Transfer[]).filter((t) => t.transfer_group === orderId);
}

function reconcilerWith(lines: { msg: string; [field: string]: unknown }[] = []) {
  const metrics = createPaymentMetrics();
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const reconciler = createLedgerReconciler({
    db: h.db,
    stripe: createStripeGateway(createStripeClient(h.config)),
    logger,
    metrics,
    intervalMs: 60_000,
    batchSize: 2,
  });
  return { reconciler, metrics };
}

const eurAvailable = async () =>
  (await h.stripe.balance.retrieve()).available.find((entry) => entry.currency === 'eur')?.amount ?? 0;

describe('payouts funded by their charge', () => {
  it('pays the seller while the platform has no available balance, from the order’s charge', async () => {
    const { user, accountId } = await h.seller();
    const { order, payment } = await dueSale(user.id);
    // Something else took every available euro: a transfer from the balance would be refused.
    const other = await h.seller();
    await h.stripe.transfers.create({
      amount: await eurAvailable(),
      currency: 'eur',
      destination: other.accountId,
    });
    expect(await eurAvailable()).toBe(0);

    expect(await h.payouts.payDue()).toBe(1);
    expect(transfersOf(order.id)).toEqual([
      expect.objectContaining({
        amount: 5000,
        destination: accountId,
        source_transaction: payment.stripe_charge_id,
      }),
    ]);
    expect(payment.stripe_charge_id).toBe(h.intentsFor(order.id)[0]?.latest_charge);
  });

  it('asks Stripe for the charge of a payment recorded before charges were kept', async () => {
    const { user } = await h.seller();
    const { order, payment } = await dueSale(user.id);
    await h.pool.query('update payments set stripe_charge_id = null where order_id = $1', [order.id]);
    expect(await h.payouts.payDue()).toBe(1);
    expect(transfersOf(order.id)[0]?.source_transaction).toBe(payment.stripe_charge_id);
  });
});

describe("the ledger's reconciliation from Stripe's side", () => {
  it("reports a transfer made at Stripe for a sale's transfer_group that the ledger never booked", async () => {
    const { user, accountId } = await h.seller();
    const { order, payment } = await dueSale(user.id);
    await h.payouts.payDue();
    const lines: { level?: number; msg: string; [field: string]: unknown }[] = [];
    const { reconciler, metrics } = reconcilerWith(lines);
    const mine = (differences: { orderId: string }[]) => differences.filter((d) => d.orderId === order.id);
    expect(mine(await reconciler.reconcile())).toEqual([]);

    // Made in the dashboard: same group, from what is left of the charge, never through payments.
    const outside = await h.stripe.transfers.create({
      amount: 500,
      currency: 'eur',
      destination: accountId,
      transfer_group: order.id,
      source_transaction: payment.stripe_charge_id!,
    });
    const differences = await reconciler.reconcile();
    expect(mine(differences)).toEqual([
      {
        kind: 'stripe_transfer_not_booked',
        orderId: order.id,
        reference: outside.id,
        detail: expect.stringContaining(`${outside.id} of 500 eur`),
      },
    ]);
    expect((await metrics.ledgerDifferences.get()).values[0]?.value).toBe(differences.length);
    expect(lines.at(-1)).toMatchObject({
      level: 40,
      msg: 'ledger differs from Stripe',
      kinds: expect.objectContaining({ stripe_transfer_not_booked: expect.any(Number) }),
      references: expect.arrayContaining([outside.id]),
    });
  });

  /** The order's refund bookings: each with what it took from the platform's Stripe balance. */
  async function refundBookings(orderId: string): Promise<{ reference: string; amount: number }[]> {
    const { rows } = await h.pool.query<{ reference: string; amount: string }>(
      `select t.reference, -e.amount as amount
         from ledger_transactions t join ledger_entries e on e.transaction_id = t.id
        where t.kind = 'refund' and t.order_id = $1 and e.account = 'stripe:balance'`,
      [orderId],
    );
    return rows.map((row) => ({ reference: row.reference, amount: Number(row.amount) }));
  }

  it("compares a refund made in Stripe's dashboard with what the ledger booked for it", async () => {
    const { user } = await h.seller();
    const mine = (differences: { orderId: string }[], orderId: string) =>
      differences.filter((d) => d.orderId === orderId);
    const { reconciler } = reconcilerWith();

    // In full: booked under the dashboard's refund, and it agrees with Stripe.
    const full = await dueSale(user.id);
    await h.payouts.payDue();
    const whole = await h.stripe.refunds.create({ charge: full.payment.stripe_charge_id! });
    await h.paymentReaches(full.order.id, 'refunded');
    expect(await refundBookings(full.order.id)).toEqual([{ reference: whole.id, amount: 5599 }]);
    expect(mine(await reconciler.reconcile(), full.order.id)).toEqual([]);

    // In part: payments refunds the rest, and books each of the two refunds at its own amount.
    const part = await dueSale(user.id);
    const dashboard = await h.stripe.refunds.create({ charge: part.payment.stripe_charge_id!, amount: 1000 });
    const refunded = await h.paymentReaches(part.order.id, 'refunded');
    expect(await refundBookings(part.order.id)).toEqual(
      expect.arrayContaining([
        { reference: dashboard.id, amount: 1000 },
        { reference: refunded.stripe_refund_id, amount: 4599 },
      ]),
    );
    expect(mine(await reconciler.reconcile(), part.order.id)).toEqual([]);
  });
});
