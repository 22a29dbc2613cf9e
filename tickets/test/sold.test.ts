import { randomUUID } from 'node:crypto';
import type { OrderCreatedData } from '@glotixz/common/events';
import { createEnvelope } from '@glotixz/common/events';
import { readSubject, sleep, waitFor, useHarness } from '@glotixz/common/testing';
import request from 'supertest';
import type { Ticket } from '../src/tickets/tickets.schemas';
import {
  orderCreated,
  orderSettled,
  startTicketsHarness,
  ticketEventData as eventData,
  type TestUser,
} from './tickets-harness';

let seller: TestUser;
const h = useHarness(startTicketsHarness);
beforeAll(() => {
  seller = h.user();
});

interface SoldRow {
  order_id: string | null;
  sold_at: Date | null;
  version: number;
}

async function soldRow(ticketId: string): Promise<SoldRow | undefined> {
  const { rows } = await h.pool.query<SoldRow>(
    'select order_id, sold_at, version from tickets where id = $1',
    [ticketId],
  );
  return rows[0];
}

/** Waits until the ticket is held by `orderId` at `version`, sold or not as `sold` says. */
async function state(ticketId: string, orderId: string | null, version: number, sold: boolean) {
  return waitFor(
    async () => {
      const row = await soldRow(ticketId);
      const matches = row?.order_id === orderId && row.version === version && (row.sold_at !== null) === sold;
      return matches ? row : undefined;
    },
    5_000,
    `ticket ${ticketId} held by ${orderId} at version ${version}, ${sold ? 'sold' : 'not sold'}`,
  );
}

async function show(ticketId: string): Promise<Ticket> {
  const res = await request(h.app).get(`/api/tickets/${ticketId}`).expect(200);
  return res.body as Ticket;
}

async function listedIds(): Promise<string[]> {
  const res = await request(h.app).get('/api/tickets').query({ limit: 100 }).expect(200);
  return (res.body.items as Ticket[]).map((t) => t.id);
}

/** A ticket reserved by a new order (version 1), and that order. */
async function reserved(): Promise<{ ticket: Ticket; order: OrderCreatedData }> {
  const ticket = await h.createTicket(seller);
  const order = orderCreated(ticket);
  await h.publish('order.created', order);
  await state(ticket.id, order.id, 1, false);
  return { ticket, order };
}

describe('order.completed', () => {
  it('marks the ticket held by the paid order sold and publishes one ticket.updated', async () => {
    const { ticket, order } = await reserved();
    expect(await show(ticket.id)).toMatchObject({ orderId: order.id, status: 'reserved', version: 1 });

    await h.publish('order.completed', orderSettled(ticket.id, order.id));
    await state(ticket.id, order.id, 2, true);
    await h.settled('tickets-order-completed');

    expect(await show(ticket.id)).toEqual({
      ...ticket,
      orderId: order.id,
      status: 'sold',
      heldTerms: { title: ticket.title, price: ticket.price, currency: ticket.currency },
      version: 2,
    });
    expect(await h.updates(ticket.id, 2)).toEqual([
      { ...eventData(ticket), orderId: order.id, status: 'reserved', version: 1 },
      { ...eventData(ticket), orderId: order.id, status: 'sold', version: 2 },
    ]);
    const mine = await request(h.app)
      .get('/api/tickets/mine')
      .set('authorization', seller.authorization)
      .query({ limit: 100 })
      .expect(200);
    expect((mine.body.items as Ticket[]).find((t) => t.id === ticket.id)).toMatchObject({ status: 'sold' });
  });

  it('changes the ticket once when the completion is redelivered or announced twice', async () => {
    const { ticket, order } = await reserved();
    const envelope = createEnvelope('order.completed', orderSettled(ticket.id, order.id));
    await h.bus.publish(envelope);
    // The same event again under another msgID, as after JetStream's duplicate window: the inbox skips it.
    await h.bus.publishRaw('order.completed', JSON.stringify(envelope), { msgID: randomUUID() });
    // The same completion in a new event: the ticket is already sold to that order.
    await h.publish('order.completed', envelope.data);
    await h.settled('tickets-order-completed');

    const row = await state(ticket.id, order.id, 2, true);
    const { rows } = await h.pool.query<{ n: string }>(
      `select count(*) as n from inbox where consumer = 'tickets-order-completed' and event_id = $1`,
      [envelope.id],
    );
    expect(Number(rows[0]?.n)).toBe(1);
    await sleep(200);
    expect(await soldRow(ticket.id)).toEqual(row);
    expect(await h.ticketEvents('ticket.updated', ticket.id)).toHaveLength(2);
  });

  it('changes nothing when the completed order does not hold the ticket', async () => {
    const { ticket, order } = await reserved();
    await h.publish('order.completed', orderSettled(ticket.id, randomUUID()));
    await h.settled('tickets-order-completed');

    expect(await soldRow(ticket.id)).toEqual({ order_id: order.id, sold_at: null, version: 1 });
    expect(await show(ticket.id)).toMatchObject({ status: 'reserved', version: 1 });
    expect(await h.ticketEvents('ticket.updated', ticket.id)).toHaveLength(1);
    expect(await readSubject(h.bus, 'deadletter.tickets-order-completed')).toEqual([]);
  });

  it('ends with the ticket sold when order.completed overtakes its order.created', async () => {
    const ticket = await h.createTicket(seller);
    const order = orderCreated(ticket);
    await h.publish('order.completed', orderSettled(ticket.id, order.id));
    await h.settled('tickets-order-completed');
    expect(await soldRow(ticket.id)).toEqual({ order_id: null, sold_at: null, version: 0 });
    expect(await listedIds()).toContain(ticket.id);

    await h.publish('order.created', order);
    await state(ticket.id, order.id, 1, true);
    await h.settled('tickets-order-created');

    expect(await show(ticket.id)).toMatchObject({ orderId: order.id, status: 'sold', version: 1 });
    expect(await listedIds()).not.toContain(ticket.id);
    expect(await h.updates(ticket.id, 1)).toEqual([
      { ...eventData(ticket), orderId: order.id, status: 'sold', version: 1 },
    ]);
  });

  it('sells to the paid order once an older hold is cancelled, whatever arrives first', async () => {
    const { ticket, order: older } = await reserved();
    const paid = orderCreated(ticket);
    // The paid order waits while the older one holds the ticket; its completion arrives meanwhile.
    await h.publish('order.created', paid);
    await h.publish('order.completed', orderSettled(ticket.id, paid.id));
    await h.settled('tickets-order-completed');
    expect(await soldRow(ticket.id)).toEqual({ order_id: older.id, sold_at: null, version: 1 });

    await h.publish('order.cancelled', orderSettled(ticket.id, older.id));
    await state(ticket.id, paid.id, 3, true);
    expect((await h.updates(ticket.id, 3)).map((t) => [t.orderId, t.version])).toEqual([
      [older.id, 1],
      [null, 2],
      [paid.id, 3],
    ]);
  });

  it('ends with every ticket sold whichever consumer handles a quick create-and-complete first', async () => {
    const tickets = await Promise.all(Array.from({ length: 5 }, () => h.createTicket(seller)));
    const orders = tickets.map((ticket) => orderCreated(ticket));
    for (const order of orders) {
      await h.publish('order.created', order);
      await h.publish('order.completed', orderSettled(order.ticket.id, order.id));
    }
    await h.settled('tickets-order-created');
    await h.settled('tickets-order-completed');

    for (const order of orders) {
      const row = await soldRow(order.ticket.id);
      expect(row).toMatchObject({ order_id: order.id, sold_at: expect.any(Date) });
      // Reserved then sold (2 versions), or reserved already sold (1) when the completion came first.
      expect((await h.ticketEvents('ticket.updated', order.ticket.id)).length).toBe(row?.version);
    }
  });
});

describe('a sold ticket', () => {
  async function sold(): Promise<{ ticket: Ticket; order: OrderCreatedData }> {
    const { ticket, order } = await reserved();
    await h.publish('order.completed', orderSettled(ticket.id, order.id));
    await state(ticket.id, order.id, 2, true);
    return { ticket, order };
  }

  it('is not listed and cannot be edited by its seller', async () => {
    const { ticket } = await sold();
    expect(await listedIds()).not.toContain(ticket.id);
    const search = await request(h.app)
      .get('/api/tickets')
      .query({ q: ticket.title, limit: 100 })
      .expect(200);
    expect((search.body.items as Ticket[]).map((t) => t.id)).not.toContain(ticket.id);

    const res = await request(h.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('authorization', seller.authorization)
      .send({ price: 1 })
      .expect(409);
    expect(res.body).toMatchObject({ code: 'TICKET_SOLD' });
    expect(await soldRow(ticket.id)).toMatchObject({ version: 2, sold_at: expect.any(Date) });
    expect(await show(ticket.id)).toMatchObject({ price: ticket.price, status: 'sold' });
  });

  it('stays sold if a cancellation of the order that bought it ever arrives', async () => {
    const { ticket, order } = await sold();
    await h.publish('order.cancelled', orderSettled(ticket.id, order.id));
    await h.settled('tickets-order-cancelled');

    expect(await soldRow(ticket.id)).toMatchObject({
      order_id: order.id,
      version: 2,
      sold_at: expect.any(Date),
    });
    expect(await listedIds()).not.toContain(ticket.id);
    expect(await h.ticketEvents('ticket.updated', ticket.id)).toHaveLength(2);
  });
});
