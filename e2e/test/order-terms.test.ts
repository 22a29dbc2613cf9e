import { createTestUser, readSubject, sleep, waitFor, type TestUser } from '@glotixz/common/testing';
import { orderAmounts, type FeeSchedule, type OrderCreatedData } from '@glotixz/common/events';
import { api, listTicket } from './support/api';
import { queryRows } from './support/db';
import { expectInvariants } from './support/invariants';
import { startSystem, type System } from './support/system';

const ROUNDS = 20;

interface Terms {
  title: string;
  price: number;
  currency: string;
}

interface SandboxIntent {
  type: string;
  data: { object: { id: string; amount: number; amount_received?: number; currency: string } };
}

/**
 * I8, the reserved price is the charged price: a buyer's `POST /api/orders` races the seller's
 * `PUT /api/tickets/:id` that reprices the ticket, round after round, and each time the order's
 * page, the `order.created` payments charges, the payment and the PaymentIntent Stripe captured
 * all carry one set of terms, the ticket's terms at one moment, never a mix.
 */
describe('order vs the seller editing the price (I8)', () => {
  let system: System;
  let seller: TestUser;

  beforeAll(async () => {
    system = await startSystem({ services: ['tickets', 'orders', 'payments'] });
    seller = createTestUser(system.keys);
  });
  afterAll(async () => {
    await system?.stop();
  });

  async function listGala(round: number): Promise<string> {
    const created = await listTicket(system.services.tickets.url, seller.token, {
      title: `Gala ${round}`,
      price: 90_000 + round,
      currency: 'usd',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor(
      async () =>
        (await queryRows(system.databases.orders, 'select 1 from tickets where id = $1', [id])).length > 0,
      20_000,
      'the orders replica to know the ticket',
    );
    return id;
  }

  /** The buyer's order and the seller's edit, started together or a few milliseconds apart. */
  async function race(round: number, ticketId: string, buyer: TestUser) {
    const place = () =>
      api(system.services.orders.url, 'POST', '/api/orders', { token: buyer.token, body: { ticketId } });
    const edit = () =>
      api(system.services.tickets.url, 'PUT', `/api/tickets/${ticketId}`, {
        token: seller.token,
        body: { seat: String(round), price: 100 + round },
      });
    // Even rounds let the order lead by up to 60 ms, odd rounds the edit.
    const lead = [0, 5, 20, 60][Math.floor(round / 2) % 4]!;
    const after = async <T>(ms: number, run: () => Promise<T>) => {
      await sleep(ms);
      return run();
    };
    const orderFirst = round % 2 === 0;
    return Promise.all([after(orderFirst ? 0 : lead, place), after(orderFirst ? lead : 0, edit)]);
  }

  async function orderCreated(orderId: string): Promise<OrderCreatedData> {
    return waitFor(
      async () =>
        (await readSubject(system.bus, 'order.created'))
          .map((m) => (m.data as { data: OrderCreatedData }).data)
          .find((d) => d.id === orderId),
      20_000,
      `order.created for ${orderId}`,
    );
  }

  async function pay(buyer: TestUser, orderId: string) {
    // Payments charges once it has copied the order from order.created.
    return waitFor(
      async () => {
        const res = await api(system.services.payments.url, 'POST', '/api/payments', {
          token: buyer.token,
          body: { orderId, paymentMethodId: 'pm_card_visa' },
        });
        return res.status === 404 ? undefined : res;
      },
      20_000,
      'payments to know the order',
    );
  }

  async function capturedIntent(orderId: string): Promise<SandboxIntent['data']['object']> {
    const [payment] = await queryRows<{ intent: string }>(
      system.databases.payments,
      'select stripe_payment_intent_id as intent from payments where order_id = $1',
      [orderId],
    );
    expect(payment).toBeDefined();
    return waitFor(
      async () => {
        const events = (await api(system.sandbox!.url, 'GET', '/_sandbox/events')).body
          .data as SandboxIntent[];
        return events.find(
          (e) => e.type === 'payment_intent.succeeded' && e.data.object.id === payment!.intent,
        )?.data.object;
      },
      20_000,
      'Stripe to capture the PaymentIntent',
    );
  }

  it(`shows, announces and charges one price in each of ${ROUNDS} races`, async () => {
    // How the races went: the order kept the old terms while the edit was accepted (the case that
    // used to show one price and charge another), the order took the new terms, the edit was refused.
    const seen = { editedAfterOrder: 0, orderedEdited: 0, editRefused: 0 };
    const { schedule } = (await api(system.services.orders.url, 'GET', '/api/orders/fees')).body as {
      schedule: FeeSchedule;
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      const ticketId = await listGala(round);
      const buyer = createTestUser(system.keys);
      const [placed, edited] = await race(round, ticketId, buyer);
      expect(placed.status).toBe(201);
      expect([200, 409]).toContain(edited.status);
      const orderId = placed.body.id as string;
      const terms = placed.body.ticket as Terms & { id: string };
      const original: Terms = { title: `Gala ${round}`, price: 90_000 + round, currency: 'usd' };
      // The edit moves the listing to another seat, which its title names, and reprices it.
      const repriced: Terms = { title: `Gala ${round} · Seat ${round}`, price: 100 + round, currency: 'usd' };
      // The order holds the ticket at its terms at one moment: before the edit or after it.
      const reserved = terms.price === original.price ? original : repriced;
      // The fee and total are fixed with the price, by the same statement.
      const { fee, total } = orderAmounts(reserved.price, reserved.currency, schedule);
      const held = { id: ticketId, ...reserved, fee, total };
      expect(terms).toEqual(held);
      if (edited.status === 409) seen.editRefused += 1;
      else if (reserved === original) seen.editedAfterOrder += 1;
      else seen.orderedEdited += 1;

      const announced = await orderCreated(orderId);
      expect(announced.ticket).toEqual(held);

      const paid = await pay(buyer, orderId);
      expect(paid.status).toBe(201);
      expect(paid.body).toMatchObject({ amount: total, currency: reserved.currency });
      const intent = await capturedIntent(orderId);
      expect(intent.amount).toBe(total);
      expect(intent.amount_received ?? intent.amount).toBe(total);

      await waitFor(
        async () =>
          (await api(system.services.orders.url, 'GET', `/api/orders/${orderId}`, { token: buyer.token }))
            .body.status === 'complete',
        20_000,
        'the order to complete',
      );
      const shown = await api(system.services.orders.url, 'GET', `/api/orders/${orderId}`, {
        token: buyer.token,
      });
      expect(shown.body.ticket).toEqual(held);
      const listed = await api(system.services.orders.url, 'GET', '/api/orders', { token: buyer.token });
      expect(
        (listed.body.items as { id: string; ticket: unknown }[]).find((o) => o.id === orderId)?.ticket,
      ).toEqual(held);

      // The seller's dashboard shows the sold listing at the terms it was reserved at.
      const ticket = await waitFor(
        async () => {
          const res = await api(system.services.tickets.url, 'GET', `/api/tickets/${ticketId}`);
          return res.body.status === 'sold' ? res.body : undefined;
        },
        20_000,
        'tickets to mark the ticket sold',
      );
      expect(ticket.heldTerms).toEqual(reserved);
      if (edited.status === 200) expect(ticket.price).toBe(repriced.price);
    }
    // The dangerous interleaving happened, or the races proved little.
    expect(seen.editedAfterOrder).toBeGreaterThan(0);
    await expectInvariants(system);
  });
});
