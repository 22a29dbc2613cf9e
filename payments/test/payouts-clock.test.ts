import { randomUUID } from 'node:crypto';
import { createTestKeys, testServiceEnv, useHarness } from '@glotixz/common/testing';
import pino from 'pino';
import type Stripe from 'stripe';
import { configSchema } from '../src/config';
import { offsetClock, systemClock, type Clock } from '../src/payouts/clock';
import { createPayoutWorker } from '../src/payouts/payout-worker';
import { salesRepo } from '../src/payouts/sales.repo';
import { startPaymentsHarness } from './payments-harness';

const hour = 3_600_000;
const day = 24 * hour;

/** The payout clock of this file's app and workers: real time plus an offset a test moves. */
const clock: Clock & { offsetMs: number } = {
  offsetMs: 0,
  now: (): Date => new Date(Date.now() + clock.offsetMs),
};

const h = useHarness(() => startPaymentsHarness({ clock, env: { PAYOUT_HOLD_SECONDS: '86400' } }));
const silent = pino({ level: 'silent' });

beforeEach(() => {
  clock.offsetMs = 0;
});

/** A paid order of `sellerId` (price 5000 + fee 599 in eur) for an event starting at `startsAt`. */
async function sale(sellerId: string, startsAt: Date) {
  const buyer = h.user();
  const order = await h.placeOrder(buyer, {
    ticket: { id: randomUUID(), title: 'Recital', price: 5000, fee: 599, total: 5599, currency: 'eur' },
    sellerId,
    event: { id: randomUUID(), startsAt: startsAt.toISOString() },
  });
  await h.pay(buyer, order.id, 'pm_card_visa').expect(201);
  await h.paymentReaches(order.id, 'succeeded');
  return order;
}

async function saleRow(orderId: string) {
  const { rows } = await h.pool.query<{
    status: string;
    transfer_at: Date;
    next_attempt_at: Date | null;
    attempts: number;
  }>('select status, transfer_at, next_attempt_at, attempts from sales where order_id = $1', [orderId]);
  return rows[0];
}

function transfersOf(orderId: string): Stripe.Transfer[] {
  return (h.sandbox.transfers() as Stripe.Transfer[]).filter((t) => t.transfer_group === orderId);
}

/** Moves the payout clock to `ms` past `moment`. */
function moveClockTo(moment: Date, ms = 0) {
  clock.offsetMs = moment.getTime() + ms - Date.now();
}

async function gauge(name: string): Promise<number> {
  const metric = await h.metrics.getSingleMetric(name)?.get();
  return metric?.values[0]?.value ?? Number.NaN;
}

describe('the payout clock', () => {
  it('schedules a sale at its event start plus the hold, or, for an event the clock says has started, at its now plus the hold', async () => {
    const { user } = await h.seller({ onboard: false });
    // Ten days ahead of real time: an event two days ahead has started by the clock, one a month ahead not yet.
    clock.offsetMs = 10 * day;
    const soon = new Date(Date.now() + 2 * day);
    const later = new Date(Date.now() + 30 * day);
    const before = clock.now().getTime();
    const started = await sale(user.id, soon);
    const after = clock.now().getTime();
    const ahead = await sale(user.id, later);

    const startedAt = (await saleRow(started.id))!.transfer_at.getTime();
    expect(startedAt).toBeGreaterThanOrEqual(before + day - 1);
    expect(startedAt).toBeLessThanOrEqual(after + day + 1);
    expect((await saleRow(ahead.id))!.transfer_at.getTime()).toBe(later.getTime() + day);
  });

  it('claims a sale only once the clock passes its transfer time, whatever the database says', async () => {
    const { accountId, user } = await h.seller();
    const startsAt = new Date(Date.now() + 3 * day);
    const order = await sale(user.id, startsAt);
    const transferAt = (await saleRow(order.id))!.transfer_at;
    expect(transferAt.getTime()).toBe(startsAt.getTime() + day);

    // Real time: days before the transfer is due.
    expect(await h.payouts.payDue()).toBe(0);
    moveClockTo(transferAt, -60_000);
    expect(await h.payouts.payDue()).toBe(0);
    expect(transfersOf(order.id)).toEqual([]);
    expect(await gauge('payouts_checked_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 + 3 * 86_400);

    // The database's now() is still days before transfer_at; the clock alone makes it due.
    moveClockTo(transferAt, 1_000);
    expect(await h.payouts.payDue()).toBe(1);
    expect(transfersOf(order.id)).toEqual([
      expect.objectContaining({ amount: 5000, currency: 'eur', destination: accountId }),
    ]);
    expect((await saleRow(order.id))!.status).toBe('paid');
  });

  it('ends a lease and a failed transfer’s backoff by the clock', async () => {
    const { user } = await h.seller();
    const order = await sale(user.id, new Date(Date.now() + day));
    const transferAt = (await saleRow(order.id))!.transfer_at;
    moveClockTo(transferAt, 1_000);

    // A worker claimed the sale (for a minute of the clock) and died before asking Stripe.
    const claimedAt = clock.now();
    const claimed = await salesRepo.claimDue(h.db, 60_000, claimedAt);
    expect(claimed?.sale.orderId).toBe(order.id);
    expect((await saleRow(order.id))!.next_attempt_at!.getTime()).toBe(claimedAt.getTime() + 60_000);
    expect(await h.payouts.payDue()).toBe(0);
    clock.offsetMs += 61_000;

    // The next attempt fails; its retry waits an hour of the clock.
    const failing = createPayoutWorker({
      db: h.db,
      stripe: {
        createTransfer: () => Promise.reject(new Error('Insufficient funds in Stripe account')),
        transfersOf: () => Promise.resolve([]),
        chargeOf: () => Promise.resolve(null),
      },
      refunder: h.refunder,
      logger: silent,
      clock,
      intervalMs: 60_000,
      backoff: { baseMs: hour, capMs: hour },
    });
    expect(await failing.payDue()).toBe(0);
    const failed = (await saleRow(order.id))!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.next_attempt_at!.getTime()).toBeGreaterThan(clock.now().getTime() + hour - 5_000);
    expect(await h.payouts.payDue()).toBe(0);
    clock.offsetMs += hour;
    expect(await h.payouts.payDue()).toBe(1);
    expect(transfersOf(order.id)).toHaveLength(1);
  });
});

describe('CLOCK_OFFSET_SECONDS', () => {
  const valid = (extra: Record<string, string> = {}) => ({
    ...testServiceEnv({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/x', keys: createTestKeys() }),
    STRIPE_SECRET_KEY: 'sk_test_abc',
    STRIPE_WEBHOOK_SECRET: 'whsec_abc',
    ...extra,
  });

  function problems(extra: Record<string, string>) {
    const result = configSchema.safeParse(valid(extra));
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  }

  it('defaults to real time and takes a whole number of seconds, ahead or behind', () => {
    expect(configSchema.parse(valid()).CLOCK_OFFSET_SECONDS).toBe(0);
    expect(configSchema.parse(valid({ CLOCK_OFFSET_SECONDS: '' })).CLOCK_OFFSET_SECONDS).toBe(0);
    expect(configSchema.parse(valid({ CLOCK_OFFSET_SECONDS: '172800' })).CLOCK_OFFSET_SECONDS).toBe(172_800);
    expect(configSchema.parse(valid({ CLOCK_OFFSET_SECONDS: '-60' })).CLOCK_OFFSET_SECONDS).toBe(-60);
    expect(offsetClock(0)).toBe(systemClock);
    const ahead = offsetClock(172_800).now().getTime() - Date.now();
    expect(Math.abs(ahead - 172_800_000)).toBeLessThan(1_000);
  });

  it('refuses a value that is not an integer', () => {
    for (const value of ['1.5', 'tomorrow', '1e400']) {
      expect(problems({ CLOCK_OFFSET_SECONDS: value })).toEqual([
        'CLOCK_OFFSET_SECONDS: must be an integer number of seconds',
      ]);
    }
  });

  it('refuses a shifted clock in production', () => {
    expect(problems({ NODE_ENV: 'production', CLOCK_OFFSET_SECONDS: '3600' })).toEqual([
      'CLOCK_OFFSET_SECONDS: must be 0 when NODE_ENV is production: a shifted clock would pay sellers early',
    ]);
    expect(problems({ NODE_ENV: 'production', CLOCK_OFFSET_SECONDS: '0' })).toEqual([]);
  });
});
