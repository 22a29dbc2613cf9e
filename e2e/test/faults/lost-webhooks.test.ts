import { waitFor } from '@glotixz/common/testing';
import { api } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { startSystem, type System } from '../support/system';
import { pay, payableOrder, query } from './support';

/** How long the reconciler may take to settle a payment no webhook told payments about. */
const bound = 30_000;

interface SandboxEvent {
  id: string;
  type: string;
  data: { object: { id: string; payment_intent?: string } };
}

/**
 * Money never depends on one webhook: with Stripe's webhooks never reaching payments (the endpoint
 * down past Stripe's retries, a wrong secret), the reconciler asks Stripe, so a paid order is
 * completed and a charge for a cancelled order is refunded (I6).
 */
describe('purchases whose webhooks never arrive', () => {
  let system: System | undefined;

  beforeAll(async () => {
    system = await startSystem({
      services: ['tickets', 'orders', 'payments'],
      env: {
        orders: { EXPIRATION_WINDOW_SECONDS: '600' },
        payments: {
          RECONCILE_INTERVAL_SECONDS: '1',
          RECONCILE_OPEN_AFTER_SECONDS: '3',
          RECONCILE_STALE_ATTEMPT_SECONDS: '3',
        },
      },
    });
    const off = await api(system.sandbox!.url, 'PUT', '/_sandbox/webhook', { body: { url: null } });
    expect(off.status).toBe(200);
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function outcome(orderId: string) {
    const sys = system as System;
    const [order] = await query<{ status: string }>(
      sys.databases.orders,
      'select status from orders where id = $1',
      [orderId],
    );
    const payments = await query<{ status: string; intent: string }>(
      sys.databases.payments,
      'select status, stripe_payment_intent_id as intent from payments where order_id = $1',
      [orderId],
    );
    const intents = new Set(payments.map((p) => p.intent));
    const events = (
      (await api(sys.sandbox!.url, 'GET', '/_sandbox/events')).body.data as SandboxEvent[]
    ).filter((e) => intents.has(e.data.object.id) || intents.has(e.data.object.payment_intent ?? ''));
    const deliveries = (await api(sys.sandbox!.url, 'GET', '/_sandbox/deliveries')).body.data as {
      eventId: string;
    }[];
    return {
      order: order?.status,
      payments: payments.map((p) => p.status),
      charges: events.filter((e) => e.type === 'payment_intent.succeeded').length,
      refunds: events.filter((e) => e.type === 'refund.created').length,
      delivered: deliveries.filter((d) => events.some((e) => e.id === d.eventId)).length,
    };
  }

  it('completes a paid order within a bounded time, through payment.succeeded', async () => {
    const sys = system as System;
    const { buyer, orderId } = await payableOrder(system as System);
    const started = Date.now();

    expect((await pay(sys, buyer, orderId)).status).toBe(201);

    await waitFor(
      async () => (await outcome(orderId)).order === 'complete',
      bound,
      'the order to be complete',
    );
    expect(Date.now() - started).toBeLessThan(bound);
    expect(await outcome(orderId)).toEqual({
      order: 'complete',
      payments: ['succeeded'],
      charges: 1,
      refunds: 0,
      delivered: 0,
    });
    await expectInvariants(sys);
  });

  it('refunds a charge whose order was cancelled before payments heard of it', async () => {
    const sys = system as System;
    const { buyer, orderId } = await payableOrder(system as System);

    // Stripe charges the card; with no webhook, payments still awaits the verdict when the buyer cancels.
    expect((await pay(sys, buyer, orderId)).status).toBe(201);
    const cancelled = await api(sys.services.orders.url, 'POST', `/api/orders/${orderId}/cancel`, {
      token: buyer.token,
    });
    expect(cancelled.status).toBe(200);

    // Refunded, orders marks the cancelled order refunded too (payment.refunded).
    await waitFor(
      async () => {
        const now = await outcome(orderId);
        return now.payments[0] === 'refunded' && now.order === 'refunded';
      },
      bound,
      'the charge and the order to be refunded',
    );
    expect(await outcome(orderId)).toEqual({
      order: 'refunded',
      payments: ['refunded'],
      charges: 1,
      refunds: 1,
      delivered: 0,
    });
    await expectInvariants(sys);
  });
});
