import { createTestUser, waitFor, type TestUser } from '@glotixz/common/testing';
import { api } from './support/api';
import { queryRows } from './support/db';
import { expectInvariants } from './support/invariants';
import { startSystem, type System } from './support/system';

/** How far ahead the event starts: time to list its tickets and hold two of them first. */
const STARTS_IN_MS = 8_000;

/**
 * An event starts while orders hold two of its listings: tickets closes the listings on sale, the
 * held ones stay reserved for their orders (one is then paid and sold, the other cancelled and
 * closed), and orders refuses every new order for the event with `EVENT_STARTED`.
 */
describe('an event starting while an order holds one of its listings', () => {
  let system: System;
  let seller: TestUser;

  beforeAll(async () => {
    system = await startSystem({
      services: ['tickets', 'orders', 'payments'],
      env: { tickets: { EVENT_CLOSE_INTERVAL_SECONDS: '1' } },
    });
    seller = createTestUser(system.keys);
  });
  afterAll(async () => {
    await system?.stop();
  });

  const listing = async (id: string) =>
    (await api(system.services.tickets.url, 'GET', `/api/tickets/${id}`)).body;

  async function listingBecomes(id: string, status: string) {
    await waitFor(async () => (await listing(id)).status === status, 20_000, `listing ${id} ${status}`);
  }

  async function replicaStatuses(ids: string[]): Promise<Record<string, string>> {
    const rows = await queryRows<{ id: string; status: string }>(
      system.databases.orders,
      'select id, status from tickets where id = any($1::uuid[])',
      [ids],
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.status]));
  }

  const order = (buyer: TestUser, ticketId: string) =>
    api(system.services.orders.url, 'POST', '/api/orders', { token: buyer.token, body: { ticketId } });

  it('closes the listings on sale, keeps the held ones for their orders and refuses new orders', async () => {
    const { tickets, orders, payments } = system.services;
    const startsAt = new Date(Date.now() + STARTS_IN_MS).toISOString();
    const event = await api(tickets.url, 'POST', '/api/events', {
      token: seller.token,
      body: {
        name: `Closing night ${Date.now()}`,
        venue: 'Harbour Hall',
        city: 'Lisbon',
        country: 'PT',
        startsAt,
        timezone: 'Europe/Lisbon',
        category: 'theatre',
      },
    });
    expect(event.status).toBe(201);
    const eventId = event.body.id as string;
    const ids: string[] = [];
    for (const seat of ['1', '2', '3', '4']) {
      const created = await api(tickets.url, 'POST', '/api/tickets', {
        token: seller.token,
        body: { eventId, section: 'Stalls', row: 'C', seat, price: 4_500, currency: 'eur' },
      });
      expect(created.status).toBe(201);
      ids.push(created.body.id as string);
    }
    const [paidId, cancelledId, ...onSale] = ids as [string, string, string, string];
    await waitFor(
      async () => Object.keys(await replicaStatuses(ids)).length === ids.length,
      20_000,
      'the orders replica to know every listing',
    );

    const payer = createTestUser(system.keys);
    const canceller = createTestUser(system.keys);
    const paid = await order(payer, paidId);
    const cancelled = await order(canceller, cancelledId);
    expect([paid.status, cancelled.status]).toEqual([201, 201]);
    await listingBecomes(paidId, 'reserved');
    await listingBecomes(cancelledId, 'reserved');
    expect(Date.now()).toBeLessThan(Date.parse(startsAt));

    // The start passes; tickets' closing loop closes what was on sale, not what orders hold.
    for (const id of onSale) await listingBecomes(id, 'closed');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(startsAt));
    expect((await listing(paidId)).status).toBe('reserved');
    expect((await listing(cancelledId)).status).toBe('reserved');
    const listed = await api(tickets.url, 'GET', `/api/tickets?eventId=${eventId}`);
    expect(listed.body.items).toEqual([]);

    // Every new order for the event is refused, whatever the listing's state.
    const latecomer = createTestUser(system.keys);
    for (const id of ids) {
      const late = await order(latecomer, id);
      expect({ id, status: late.status, code: late.body.code }).toEqual({
        id,
        status: 409,
        code: 'EVENT_STARTED',
      });
    }

    // The held orders are still live: one is paid, the other cancelled by its buyer.
    const pay = await waitFor(
      async () => {
        const res = await api(payments.url, 'POST', '/api/payments', {
          token: payer.token,
          body: { orderId: paid.body.id, paymentMethodId: 'pm_card_visa' },
        });
        return res.status === 404 ? undefined : res;
      },
      20_000,
      'payments to know the order',
    );
    expect(pay.status).toBeLessThan(300);
    await waitFor(
      async () =>
        (await api(orders.url, 'GET', `/api/orders/${paid.body.id}`, { token: payer.token })).body.status ===
        'complete',
      20_000,
      'the held order to be paid',
    );
    const cancel = await api(orders.url, 'POST', `/api/orders/${cancelled.body.id}/cancel`, {
      token: canceller.token,
    });
    expect(cancel.status).toBe(200);

    await listingBecomes(paidId, 'sold');
    await listingBecomes(cancelledId, 'closed');
    await waitFor(
      async () => {
        const replica = await replicaStatuses(ids);
        return ids.every((id) => replica[id] === (id === paidId ? 'sold' : 'closed'));
      },
      20_000,
      "orders' replica to follow every listing",
    );
    await expectInvariants(system);
  });
});
