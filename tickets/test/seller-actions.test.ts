import { randomUUID } from 'node:crypto';
import { useHarness } from '@glotixz/common/testing';
import request from 'supertest';
import type { Ticket } from '../src/tickets/tickets.schemas';
import {
  orderCreated,
  orderSettled,
  startTicketsHarness,
  ticketEventData,
  type TestUser,
} from './tickets-harness';

let seller: TestUser;
const h = useHarness(startTicketsHarness);
beforeAll(() => {
  seller = h.user();
});

const unlist = (id: string, authorization = seller.authorization) =>
  request(h.app).delete(`/api/tickets/${id}`).set('authorization', authorization);
const relist = (id: string, authorization = seller.authorization) =>
  request(h.app).post(`/api/tickets/${id}/relist`).set('authorization', authorization);

async function listedIds(query: Record<string, string> = {}): Promise<string[]> {
  const res = await request(h.app)
    .get('/api/tickets')
    .query({ limit: 100, ...query })
    .expect(200);
  return (res.body.items as Ticket[]).map((t) => t.id);
}

/** Holds the ticket by a new order through `order.created`, as orders would; answers the order id. */
async function reserve(ticket: Ticket, version: number): Promise<string> {
  const order = orderCreated(ticket);
  await h.publish('order.created', order);
  await h.rowWhen(ticket.id, (r) => r.order_id === order.id && r.version === version, 'reserved');
  return order.id;
}

describe('DELETE /api/tickets/:id (take down) and POST /api/tickets/:id/relist', () => {
  it('takes a listing down and puts it back, each one version and one ticket.updated', async () => {
    const ticket = await h.createTicket(seller, { price: 4_000 });
    const down = await unlist(ticket.id).expect(200);
    expect(down.body).toEqual({ ...ticket, status: 'unlisted', version: 1 });
    expect(await h.row(ticket.id)).toMatchObject({ status: 'unlisted', version: 1, order_id: null });
    expect(await listedIds({ eventId: ticket.eventId })).not.toContain(ticket.id);
    const mine = await request(h.app).get('/api/tickets/mine').set('authorization', seller.authorization);
    expect((mine.body.items as Ticket[]).find((t) => t.id === ticket.id)?.status).toBe('unlisted');
    const event = await request(h.app).get(`/api/events/${ticket.eventId}`).expect(200);
    expect(event.body).toMatchObject({ available: 0, lowestPrice: null, currency: null });

    const back = await relist(ticket.id).expect(200);
    expect(back.body).toEqual({ ...ticket, status: 'available', version: 2 });
    expect(await listedIds({ eventId: ticket.eventId })).toContain(ticket.id);

    expect(await h.updates(ticket.id, 2)).toEqual([
      { ...ticketEventData(ticket), status: 'unlisted', version: 1 },
      { ...ticketEventData(ticket), status: 'available', version: 2 },
    ]);
  });

  it('answers a listing already in the asked status as it is, with no new version or event', async () => {
    const ticket = await h.createTicket(seller);
    expect((await relist(ticket.id).expect(200)).body).toEqual(ticket);
    await unlist(ticket.id).expect(200);
    const again = await unlist(ticket.id).expect(200);
    expect(again.body).toMatchObject({ status: 'unlisted', version: 1 });
    expect((await h.row(ticket.id))?.version).toBe(1);
    await h.updates(ticket.id, 1);
    expect(await h.ticketEvents('ticket.updated', ticket.id)).toHaveLength(1);
  });

  it("answers 403 FORBIDDEN for another seller's listing and 404 NOT_FOUND for an unknown one", async () => {
    const ticket = await h.createTicket(seller);
    const other = h.user();
    expect((await unlist(ticket.id, other.authorization).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await relist(ticket.id, other.authorization).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await unlist(randomUUID()).expect(404)).body.code).toBe('NOT_FOUND');
    expect((await relist(randomUUID()).expect(404)).body.code).toBe('NOT_FOUND');
    expect(await h.row(ticket.id)).toMatchObject({ status: 'available', version: 0 });
  });

  it('answers 401 without a token and 400 for a malformed id', async () => {
    const ticket = await h.createTicket(seller);
    await request(h.app).delete(`/api/tickets/${ticket.id}`).expect(401);
    await request(h.app).post(`/api/tickets/${ticket.id}/relist`).expect(401);
    const bad = await unlist('not-a-uuid').expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ path: 'params.id' })]);
    await relist('not-a-uuid').expect(400);
  });

  it('answers 409 TICKET_RESERVED for a reserved listing and TICKET_SOLD for a sold one, changing nothing', async () => {
    const ticket = await h.createTicket(seller);
    const orderId = await reserve(ticket, 1);
    expect((await unlist(ticket.id).expect(409)).body.code).toBe('TICKET_RESERVED');
    expect((await relist(ticket.id).expect(409)).body.code).toBe('TICKET_RESERVED');

    await h.publish('order.completed', orderSettled(ticket.id, orderId));
    await h.rowWhen(ticket.id, (r) => r.status === 'sold', 'sold');
    expect((await unlist(ticket.id).expect(409)).body.code).toBe('TICKET_SOLD');
    expect((await relist(ticket.id).expect(409)).body.code).toBe('TICKET_SOLD');
    expect(await h.row(ticket.id)).toMatchObject({ status: 'sold', version: 2, order_id: orderId });
  });

  it('answers 409 EVENT_STARTED once the event has started, whether or not the listing is closed yet', async () => {
    const onSale = await h.createTicket(seller);
    const takenDown = await h.createTicket(seller, { eventId: onSale.eventId });
    await unlist(takenDown.id).expect(200);
    await h.startEvent(onSale.eventId);

    expect((await unlist(onSale.id).expect(409)).body.code).toBe('EVENT_STARTED');
    expect((await relist(takenDown.id).expect(409)).body.code).toBe('EVENT_STARTED');
    // Taking down what is already down stays an answer, not a refusal.
    expect((await unlist(takenDown.id).expect(200)).body.status).toBe('unlisted');

    await h.pool.query("update tickets set status = 'closed', version = version + 1 where id = $1", [
      onSale.id,
    ]);
    expect((await unlist(onSale.id).expect(409)).body.code).toBe('EVENT_STARTED');
    expect((await relist(onSale.id).expect(409)).body.code).toBe('EVENT_STARTED');
  });
});

describe('an order orders accepted wins', () => {
  it('reserves a listing its seller took down meanwhile; released, it is on sale again', async () => {
    const ticket = await h.createTicket(seller);
    await unlist(ticket.id).expect(200);
    const orderId = await reserve(ticket, 2);
    expect(await h.row(ticket.id)).toMatchObject({ status: 'reserved', order_id: orderId });
    const [, reserved] = await h.updates(ticket.id, 2);
    expect(reserved).toMatchObject({ status: 'reserved', orderId, version: 2 });

    await h.publish('order.cancelled', orderSettled(ticket.id, orderId));
    const row = await h.rowWhen(ticket.id, (r) => r.version === 3, 'released');
    expect(row).toMatchObject({ status: 'available', order_id: null });
  });

  it('reserves a listing closed because its event started; released, it is closed again', async () => {
    const ticket = await h.createTicket(seller);
    await h.startEvent(ticket.eventId);
    await h.pool.query("update tickets set status = 'closed', version = version + 1 where id = $1", [
      ticket.id,
    ]);
    const orderId = await reserve(ticket, 2);
    expect(await h.row(ticket.id)).toMatchObject({ status: 'reserved', order_id: orderId });

    await h.publish('order.cancelled', orderSettled(ticket.id, orderId));
    const row = await h.rowWhen(ticket.id, (r) => r.version === 3, 'released');
    expect(row).toMatchObject({ status: 'closed', order_id: null });
    // The manual close above published nothing: the reservation and the release are the events.
    const [, released] = await h.updates(ticket.id, 2);
    expect(released).toMatchObject({ status: 'closed', orderId: null, version: 3 });
  });
});
