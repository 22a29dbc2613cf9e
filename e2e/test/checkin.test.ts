import { createTestUser, waitFor, type TestUser } from '@glotixz/common/testing';
import { api, createEventViaApi } from './support/api';
import { queryRows } from './support/db';
import { startSystem, type System } from './support/system';

/**
 * Check-in at the door (I9): a ticket bought through the real flow (order, payment, completion)
 * carries an e-ticket code from orders; fifty door scanners scan that one code at once through
 * tickets, and exactly one of them admits it. Refunded in Stripe, a ticket's code is void at the
 * door and its e-ticket too.
 */
describe('check-in at the door', () => {
  let system: System;
  let organizer: TestUser;
  let buyer: TestUser;

  beforeAll(async () => {
    system = await startSystem({ services: ['tickets', 'orders', 'payments'] });
    organizer = createTestUser(system.keys);
    buyer = createTestUser(system.keys);
  });
  afterAll(async () => {
    await system?.stop();
  });

  /** The buyer's e-ticket of `orderId` once orders answers it with `status`. */
  function eticketAnswering(orderId: string, status: number, what: string) {
    return waitFor(
      async () => {
        const res = await api(system.services.orders.url, 'GET', `/api/orders/${orderId}/eticket`, {
          token: buyer.token,
        });
        return res.status === status ? res : undefined;
      },
      20_000,
      what,
    );
  }

  /**
   * A ticket of a new event of the organizer's, bought by the buyer through the real flow (order,
   * payment, completion): its ids and the code of its e-ticket, once tickets sees it sold.
   */
  async function buyTicket(): Promise<{ eventId: string; ticketId: string; orderId: string; code: string }> {
    const { tickets, orders, payments } = system.services;
    const eventId = await createEventViaApi(tickets.url, organizer.token, {
      name: `Door night ${Date.now()}`,
    });
    const listed = await api(tickets.url, 'POST', '/api/tickets', {
      token: organizer.token,
      body: { eventId, price: 4_200, currency: 'usd' },
    });
    expect(listed.status).toBe(201);
    const ticketId = listed.body.id as string;
    await waitFor(
      async () =>
        (await queryRows(system.databases.orders, 'select 1 from tickets where id = $1', [ticketId])).length >
        0,
      20_000,
      'the orders replica to know the ticket',
    );
    const order = await api(orders.url, 'POST', '/api/orders', { token: buyer.token, body: { ticketId } });
    expect(order.status).toBe(201);
    const orderId = order.body.id as string;
    const pay = await waitFor(
      async () => {
        const res = await api(payments.url, 'POST', '/api/payments', {
          token: buyer.token,
          body: { orderId, paymentMethodId: 'pm_card_visa' },
        });
        return res.status === 404 ? undefined : res;
      },
      20_000,
      'payments to know the order',
    );
    expect(pay.status).toBeLessThan(300);

    const eticket = await eticketAnswering(orderId, 200, 'the e-ticket of the completed order');
    const code = eticket.body.code as string;
    await waitFor(
      async () => (await api(tickets.url, 'GET', `/api/tickets/${ticketId}`)).body.status === 'sold',
      20_000,
      'tickets to see the ticket sold',
    );

    return { eventId, ticketId, orderId, code };
  }

  it('admits a bought ticket once when 50 scanners scan its code at the same moment', async () => {
    const { tickets } = system.services;
    const { eventId, ticketId, code } = await buyTicket();
    const keys = await api(tickets.url, 'GET', '/api/checkins/keys');
    expect(keys.body.keys.length).toBeGreaterThan(0);

    const scans = await Promise.all(
      Array.from({ length: 50 }, () =>
        api(tickets.url, 'POST', '/api/checkins', { token: organizer.token, body: { code, eventId } }),
      ),
    );
    const admitted = scans.filter((s) => s.status === 200);
    const again = scans.filter((s) => s.status === 409 && s.body.code === 'ALREADY_ADMITTED');
    expect(admitted).toHaveLength(1);
    expect(again).toHaveLength(49);
    expect(admitted[0]?.body).toMatchObject({ result: 'admitted', ticket: { id: ticketId }, eventId });
    for (const s of again) expect(s.body.details.admittedAt).toBe(admitted[0]?.body.admittedAt);
    const rows = await queryRows(system.databases.tickets, 'select 1 from admissions where ticket_id = $1', [
      ticketId,
    ]);
    expect(rows).toHaveLength(1);

    const attendance = await api(tickets.url, 'GET', `/api/events/${eventId}/attendance`, {
      token: organizer.token,
    });
    expect(attendance.body).toEqual({ sold: 1, admitted: 1, toCome: 0 });

    const stranger = createTestUser(system.keys);
    const refused = await api(tickets.url, 'POST', '/api/checkins', {
      token: stranger.token,
      body: { code },
    });
    expect(refused.body.code).toBe('NOT_EVENT_STAFF');
  });

  it('voids the code at the door and the e-ticket once the order is refunded in Stripe', async () => {
    const { tickets } = system.services;
    const { eventId, orderId, code } = await buyTicket();
    const [payment] = await queryRows<{ stripe_payment_intent_id: string }>(
      system.databases.payments,
      `select stripe_payment_intent_id from payments where order_id = $1 and status = 'succeeded'`,
      [orderId],
    );
    // A refund made in Stripe's dashboard: its webhook reaches payments, whose payment.refunded
    // reaches orders and tickets.
    const refund = await fetch(`${system.sandbox!.url}/v1/refunds`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${system.stripeSecretKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `payment_intent=${payment!.stripe_payment_intent_id}`,
    });
    expect(refund.status).toBe(200);
    const voidTicket = await eticketAnswering(orderId, 409, 'orders to void the e-ticket');
    expect(voidTicket.body.code).toBe('TICKET_VOID');
    const scan = await waitFor(
      async () => {
        const res = await api(tickets.url, 'POST', '/api/checkins', {
          token: organizer.token,
          body: { code, eventId },
        });
        return res.status === 409 ? res : undefined;
      },
      20_000,
      'tickets to refuse the refunded ticket at the door',
    );
    expect(scan.body.code).toBe('TICKET_VOID');
    expect(
      await queryRows(system.databases.tickets, 'select 1 from admissions where order_id = $1', [orderId]),
    ).toHaveLength(0);
  });
});
