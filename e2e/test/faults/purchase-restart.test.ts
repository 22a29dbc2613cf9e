import { waitFor } from '@glotixz/common/testing';
import { api } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { freePort } from '../support/ports';
import { startSystem, type System } from '../support/system';
import { count, pay, payableOrder, query } from './support';

/** A port nothing listens on: a webhook sent there is refused, as by a payments that is down. */
const closedPort = freePort;

interface SandboxEvent {
  id: string;
  type: string;
  data: { object: { id: string; payment_intent?: string } };
}

/**
 * A purchase whose services restart half-way: payments dies after Stripe charged the card but
 * before the webhook got through, orders dies between payment.succeeded and order.completed. Each
 * order ends complete exactly once, and the card is charged once (I6).
 */
describe('services restarting during a purchase', () => {
  let system: System | undefined;
  let webhookUrl: string;

  beforeAll(async () => {
    system = await startSystem({
      services: ['tickets', 'orders', 'payments'],
      env: {
        orders: { EXPIRATION_WINDOW_SECONDS: '600', SWEEP_INTERVAL_SECONDS: '5', SWEEP_GRACE_SECONDS: '4' },
      },
    });
    webhookUrl = `${system.services.payments.url}/api/payments/webhook`;
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function setWebhook(url: string): Promise<void> {
    const res = await api((system as System).sandbox!.url, 'PUT', '/_sandbox/webhook', { body: { url } });
    expect(res.status).toBe(200);
  }

  async function sandboxEvents(): Promise<SandboxEvent[]> {
    return (await api((system as System).sandbox!.url, 'GET', '/_sandbox/events')).body
      .data as SandboxEvent[];
  }

  /** The order, from orders; the payments of it, from payments; the sandbox's charges and refunds. */
  async function outcome(orderId: string) {
    const sys = system as System;
    const [order] = await query<{ status: string; version: number }>(
      sys.databases.orders,
      'select status, version from orders where id = $1',
      [orderId],
    );
    const payments = await query<{ status: string; intent: string }>(
      sys.databases.payments,
      'select status, stripe_payment_intent_id as intent from payments where order_id = $1',
      [orderId],
    );
    const intents = new Set(payments.map((p) => p.intent));
    const events = (await sandboxEvents()).filter(
      (e) => intents.has(e.data.object.id) || intents.has(e.data.object.payment_intent ?? ''),
    );
    return {
      order,
      payments: payments.map((p) => p.status),
      charges: events.filter((e) => e.type === 'payment_intent.succeeded').length,
      refunds: events.filter((e) => e.type === 'refund.created').length,
      events,
    };
  }

  async function completed(orderId: string): Promise<void> {
    const sys = system as System;
    await waitFor(
      async () => {
        const [row] = await query<{ status: string }>(
          sys.databases.orders,
          'select status from orders where id = $1',
          [orderId],
        );
        return row?.status === 'complete';
      },
      30_000,
      'the order to be complete',
    );
  }

  it('completes the order once when payments dies between the charge and its webhook', async () => {
    const sys = system as System;
    const { buyer, orderId } = await payableOrder(system as System);

    // The webhook cannot get through until payments is back: Stripe retries it with backoff.
    await setWebhook(`http://127.0.0.1:${await closedPort()}/api/payments/webhook`);
    const paid = await pay(sys, buyer, orderId);
    expect(paid.status).toBe(201);
    await sys.services.payments.kill();
    await sys.services.payments.restart();
    await setWebhook(webhookUrl);
    await completed(orderId);

    // Stripe delivering the event again, and the buyer pressing pay again, change nothing.
    const { events } = await outcome(orderId);
    const succeeded = events.find((e) => e.type === 'payment_intent.succeeded');
    expect(succeeded).toBeDefined();
    // The first delivery found payments gone; a retry found it back.
    const deliveries = await api(sys.sandbox!.url, 'GET', `/_sandbox/deliveries?event=${succeeded!.id}`);
    const statuses = (deliveries.body.data as { status: number | null }[]).map((d) => d.status);
    expect(statuses[0]).toBeNull();
    expect(statuses.at(-1)).toBe(200);
    const resent = await api(sys.sandbox!.url, 'POST', `/_sandbox/events/${succeeded!.id}/resend`);
    expect(resent.status).toBe(200);
    const again = await pay(sys, buyer, orderId);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ORDER_ALREADY_PAID');

    await expectInvariants(sys);
    expect(await outcome(orderId)).toMatchObject({
      order: { status: 'complete', version: 1 },
      payments: ['succeeded'],
      charges: 1,
      refunds: 0,
    });
  });

  it('completes the order once when orders dies between payment.succeeded and order.completed', async () => {
    const sys = system as System;
    const { buyer, orderId } = await payableOrder(system as System);
    const succeededBefore = (await sys.bus.jsm.streams.info(sys.bus.streamName('PAYMENTS'))).state.messages;

    // Orders' replica is current, so only the purchase's own events are left for it.
    await waitFor(
      async () =>
        (await count(
          sys.databases.orders,
          'select count(*)::int as n from tickets where order_id = $1 and version = 1',
          [orderId],
        )) === 1,
      20_000,
      "orders' replica to hold the reserved ticket",
    );
    await sys.services.orders.kill();
    const paid = await pay(sys, buyer, orderId);
    expect(paid.status).toBe(201);
    // payment.succeeded is on the stream while orders is down.
    await waitFor(
      async () =>
        (await sys.bus.jsm.streams.info(sys.bus.streamName('PAYMENTS'))).state.messages ===
        succeededBefore + 1,
      20_000,
      'payment.succeeded to be published',
    );
    await sys.services.orders.restart();
    await completed(orderId);

    await expectInvariants(sys);
    expect(await outcome(orderId)).toMatchObject({
      order: { status: 'complete', version: 1 },
      payments: ['succeeded'],
      charges: 1,
      refunds: 0,
    });
    // Tickets marks the ticket sold once: reserved (version 1), then sold (version 2).
    const sold = await query<{ sold: boolean; version: number }>(
      sys.databases.tickets,
      'select sold_at is not null as sold, version from tickets where order_id = $1',
      [orderId],
    );
    expect(sold).toEqual([{ sold: true, version: 2 }]);
  });
});
