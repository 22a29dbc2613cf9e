import { randomUUID } from 'node:crypto';
import type { TicketCreatedData, TicketStatus } from '@glotixz/common/events';
import { sleep, useHarness, waitFor } from '@glotixz/common/testing';
import request from 'supertest';
import { ordersRepo } from '../src/orders/orders.repo';
import { startOrdersHarness, type TestUser } from './orders-harness';

const h = useHarness(() => startOrdersHarness({ EXPIRATION_WINDOW_SECONDS: '600' }));

const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

/** A listing of an upcoming event, as tickets publishes it now. */
function listing(overrides: Partial<TicketCreatedData> = {}): Promise<TicketCreatedData> {
  return h.listTicket({ eventId: randomUUID(), startsAt: inADay(), status: 'available', ...overrides });
}

function order(buyer: TestUser, ticketId: string) {
  return request(h.app).post('/api/orders').set('authorization', buyer.authorization).send({ ticketId });
}

async function ordersOf(ticketId: string): Promise<string[]> {
  const { rows } = await h.pool.query<{ id: string }>('select id from orders where ticket_id = $1', [
    ticketId,
  ]);
  return rows.map((row) => row.id);
}

/**
 * Expects the placement refused with 409 `code` and no order written; answers the ids of the
 * order.created events published for the ticket.
 */
async function expectRefused(ticketId: string, code: string, buyer: TestUser = h.user()) {
  const before = await ordersOf(ticketId);
  const res = await order(buyer, ticketId).expect(409);
  expect(res.body).toEqual({ code, message: expect.any(String) });
  expect(await ordersOf(ticketId)).toEqual(before);
  await h.outboxDrained();
  const announced = (await h.events('order.created')).filter((e) => e.data.ticket.id === ticketId);
  return announced.map((e) => e.data.id);
}

/** Publishes the order's payment as payments would, and waits until the order is complete. */
async function paid(orderId: string, ticket: TicketCreatedData) {
  await h.publish('payment.succeeded', {
    id: randomUUID(),
    orderId,
    stripePaymentIntentId: `pi_${randomUUID().replaceAll('-', '')}`,
    amount: ticket.price,
    currency: ticket.currency,
  });
  await waitFor(async () => (await h.orderRow(orderId))?.status === 'complete', 5_000, 'order complete');
}

async function replicaStatus(id: string, status: TicketStatus, version: number) {
  await waitFor(
    async () => {
      const row = await h.ticketRow(id);
      return row?.status === status && row.version === version;
    },
    5_000,
    `ticket ${id} ${status} at version ${version}`,
  );
}

describe('POST /api/orders refuses a ticket that is not available (409)', () => {
  const cases: [TicketStatus, string, Partial<TicketCreatedData>][] = [
    ['reserved', 'TICKET_RESERVED', { orderId: randomUUID() }],
    ['sold', 'TICKET_SOLD', { orderId: randomUUID() }],
    ['unlisted', 'TICKET_UNLISTED', {}],
    ['closed', 'EVENT_STARTED', {}],
  ];
  it.each(cases)('%s → %s, writing nothing', async (status, code, changes) => {
    const ticket = await listing({ status, ...changes });
    expect(await expectRefused(ticket.id, code)).toEqual([]);
  });

  it('refuses EVENT_STARTED for an event that has started while the replica still says available', async () => {
    const ticket = await listing({ startsAt: new Date(Date.now() - 1_000).toISOString() });
    expect(await h.ticketRow(ticket.id)).toMatchObject({ status: 'available' });

    expect(await expectRefused(ticket.id, 'EVENT_STARTED')).toEqual([]);
  });

  it('refuses TICKET_SOLD once the order holding it is paid, before the replica hears of the sale', async () => {
    const ticket = await listing();
    const first = await h.placeOrder(h.user(), ticket.id);
    await paid(first.id, ticket);
    expect(await h.ticketRow(ticket.id)).toMatchObject({ status: 'available' });

    expect(await expectRefused(ticket.id, 'TICKET_SOLD')).toEqual([first.id]);
  });

  it('follows the replica: taken down refuses TICKET_UNLISTED, relisted is ordered again', async () => {
    const ticket = await listing();
    await h.publish('ticket.updated', { ...ticket, status: 'unlisted', version: 1 });
    await replicaStatus(ticket.id, 'unlisted', 1);
    const buyer = h.user();
    await expectRefused(ticket.id, 'TICKET_UNLISTED', buyer);

    await h.publish('ticket.updated', { ...ticket, status: 'available', version: 2 });
    await replicaStatus(ticket.id, 'available', 2);
    const placed = await order(buyer, ticket.id).expect(201);
    expect(placed.body).toMatchObject({ status: 'awaiting_payment', ticket: { id: ticket.id } });
  });

  it('refuses the ticket of a buyer who holds it already with TICKET_RESERVED', async () => {
    const ticket = await listing();
    const buyer = h.user();
    const first = await h.placeOrder(buyer, ticket.id);
    expect(await expectRefused(ticket.id, 'TICKET_RESERVED', buyer)).toEqual([first.id]);
  });

  it('orders a ticket published before listings had events, which has no start', async () => {
    const ticket = await h.listTicket();
    expect(await h.ticketRow(ticket.id)).toMatchObject({ status: 'available', starts_at: null });
    await order(h.user(), ticket.id).expect(201);
  });
});

describe("an event's start", () => {
  it('keeps the hold of an order placed before the start, which can still be paid, and refuses the rest', async () => {
    const eventId = randomUUID();
    const startsAt = new Date(Date.now() + 1_500).toISOString();
    const held = await listing({ eventId, startsAt });
    const other = await listing({ eventId, startsAt });
    const buyer = h.user();
    const placed = await h.placeOrder(buyer, held.id);

    await sleep(Math.max(0, Date.parse(startsAt) - Date.now()) + 200);
    // Before tickets' closing reaches the replica, the start alone refuses the other listing.
    await expectRefused(other.id, 'EVENT_STARTED');
    // tickets closes the other listing and keeps the held one reserved for its order.
    await h.publish('ticket.updated', { ...held, orderId: placed.id, status: 'reserved', version: 1 });
    await h.publish('ticket.updated', { ...other, status: 'closed', version: 1 });
    await replicaStatus(held.id, 'reserved', 1);
    await replicaStatus(other.id, 'closed', 1);
    await expectRefused(other.id, 'EVENT_STARTED');
    await expectRefused(held.id, 'EVENT_STARTED');

    const shown = await request(h.app)
      .get(`/api/orders/${placed.id}`)
      .set('authorization', buyer.authorization)
      .expect(200);
    expect(shown.body).toMatchObject({ status: 'awaiting_payment', version: 0 });
    // The overdue sweeper cancels only what is past its expiry, never an order because its event began.
    expect(await ordersRepo.cancelOverdue(h.db, { graceSeconds: 0, batchSize: 100 })).toBe(0);
    await paid(placed.id, held);
    expect(await h.orderRow(placed.id)).toMatchObject({
      status: 'complete',
      cancel_reason: null,
      version: 1,
    });
  });
});
