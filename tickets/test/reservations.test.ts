import { randomUUID } from 'node:crypto';
import { deadLetterSchema } from '@glotixz/common/bus';
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

async function holder(ticketId: string, orderId: string | null, version: number): Promise<void> {
  await waitFor(
    async () => {
      const row = await h.row(ticketId);
      return row?.order_id === orderId && row.version === version;
    },
    5_000,
    `ticket ${ticketId} held by ${orderId} at version ${version}`,
  );
}

async function listedIds(): Promise<string[]> {
  const res = await request(h.app).get('/api/tickets').query({ limit: 100 }).expect(200);
  return (res.body.items as Ticket[]).map((t) => t.id);
}

describe('order.created', () => {
  it('reserves the ticket, hides it from the listing and publishes ticket.updated at version 1', async () => {
    const ticket = await h.createTicket(seller);
    expect(await listedIds()).toContain(ticket.id);
    const order = orderCreated(ticket);
    await h.publish('order.created', order);

    await holder(ticket.id, order.id, 1);
    expect(await listedIds()).not.toContain(ticket.id);
    await request(h.app)
      .get(`/api/tickets/${ticket.id}`)
      .expect(200, {
        ...ticket,
        orderId: order.id,
        status: 'reserved',
        heldTerms: { title: ticket.title, price: ticket.price, currency: ticket.currency },
        version: 1,
      });
    expect(await h.updates(ticket.id, 1)).toEqual([
      { ...eventData(ticket), orderId: order.id, status: 'reserved', version: 1 },
    ]);
  });

  it("holds the ticket at the order's terms; the seller's edit made before it arrived applies when it is on sale again (I8)", async () => {
    const ticket = await h.createTicket(seller, { title: 'Gala', price: 90_000, currency: 'usd' });
    // The order is placed at 900.00; the seller's edit lands before tickets hears of the order.
    const order = orderCreated(ticket);
    await request(h.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('authorization', seller.authorization)
      .send({ section: 'Stalls', price: 100 })
      .expect(200);
    await h.publish('order.created', order);
    await holder(ticket.id, order.id, 2);

    const terms = { title: 'Gala', price: 90_000, currency: 'usd' };
    const shown = await request(h.app).get(`/api/tickets/${ticket.id}`).expect(200);
    expect(shown.body).toMatchObject({
      status: 'reserved',
      title: 'Gala · Section Stalls',
      price: 100,
      heldTerms: terms,
    });
    const mine = await request(h.app).get('/api/tickets/mine').set('authorization', seller.authorization);
    expect((mine.body.items as Ticket[]).find((t) => t.id === ticket.id)?.heldTerms).toEqual(terms);

    await h.publish('order.cancelled', orderSettled(ticket.id, order.id));
    await holder(ticket.id, null, 3);
    const back = await request(h.app).get(`/api/tickets/${ticket.id}`).expect(200);
    expect(back.body).toMatchObject({
      status: 'available',
      title: 'Gala · Section Stalls',
      price: 100,
      heldTerms: null,
    });
  });

  it('holds the ticket at its own title for an order.created published before events carried one', async () => {
    const ticket = await h.createTicket(seller, { title: 'Matinee', price: 4_000, currency: 'usd' });
    const { title: _title, ...untitled } = orderCreated(ticket).ticket;
    const order = { ...orderCreated(ticket), ticket: untitled };
    await h.publish('order.created', order);

    await holder(ticket.id, order.id, 1);
    const shown = await request(h.app).get(`/api/tickets/${ticket.id}`).expect(200);
    expect(shown.body.heldTerms).toEqual({ title: 'Matinee', price: 4_000, currency: 'usd' });
  });

  it('changes the ticket once when the same event is redelivered or the order is announced twice', async () => {
    const ticket = await h.createTicket(seller);
    const envelope = createEnvelope('order.created', orderCreated(ticket));
    await h.bus.publish(envelope);
    // The same event again under another msgID, as after JetStream's duplicate window: the inbox skips it.
    await h.bus.publishRaw('order.created', JSON.stringify(envelope), { msgID: randomUUID() });
    // The same order in a new event: the ticket is already held by it, so nothing changes.
    await h.publish('order.created', envelope.data);
    await h.settled('tickets-order-created');

    expect(await h.row(ticket.id)).toMatchObject({ order_id: envelope.data.id, version: 1 });
    const { rows } = await h.pool.query<{ n: string }>(
      `select count(*) as n from inbox where consumer = 'tickets-order-created' and event_id = $1`,
      [envelope.id],
    );
    expect(Number(rows[0]?.n)).toBe(1);
    await h.updates(ticket.id, 1);
    expect(await h.ticketEvents('ticket.updated', ticket.id)).toHaveLength(1);
  });

  it('dead-letters an order for a ticket that does not exist, after retrying it', async () => {
    const ghost = { id: randomUUID(), title: 'Ghost', price: 100, currency: 'usd' };
    const envelope = await h.publish('order.created', orderCreated(ghost));
    const letter = await waitFor(
      async () => {
        const letters = await readSubject(h.bus, 'deadletter.tickets-order-created');
        return letters
          .map((m) => deadLetterSchema.parse(m.data))
          .find((l) => l.payload.includes(envelope.id));
      },
      10_000,
      'the dead letter',
    );
    expect(letter).toMatchObject({ reason: 'failed', deliveries: 5 });
    expect(letter.error).toContain(ghost.id);
    expect(await h.row(ghost.id)).toBeUndefined();
  }, 15_000);
});

describe('order.cancelled', () => {
  it('frees the ticket held by that order and publishes ticket.updated', async () => {
    const ticket = await h.createTicket(seller);
    const order = orderCreated(ticket);
    await h.publish('order.created', order);
    await holder(ticket.id, order.id, 1);

    await h.publish('order.cancelled', orderSettled(ticket.id, order.id));
    await holder(ticket.id, null, 2);
    expect(await listedIds()).toContain(ticket.id);
    expect(await h.updates(ticket.id, 2)).toEqual([
      { ...eventData(ticket), orderId: order.id, status: 'reserved', version: 1 },
      { ...eventData(ticket), orderId: null, status: 'available', version: 2 },
    ]);
  });

  it('keeps a ticket held by a newer order when a late order.cancelled for the old order arrives', async () => {
    const ticket = await h.createTicket(seller);
    const first = orderCreated(ticket);
    const second = orderCreated(ticket);
    await h.publish('order.created', first);
    await holder(ticket.id, first.id, 1);

    // The second order waits while the first still holds the ticket: one of them must be cancelled.
    await h.publish('order.created', second);
    await sleep(300);
    expect(await h.row(ticket.id)).toMatchObject({ order_id: first.id, version: 1 });

    await h.publish('order.cancelled', orderSettled(ticket.id, first.id));
    await holder(ticket.id, second.id, 3);

    await h.publish('order.cancelled', orderSettled(ticket.id, first.id));
    await h.settled('tickets-order-cancelled');
    await h.settled('tickets-order-created');
    expect(await h.row(ticket.id)).toMatchObject({ order_id: second.id, version: 3 });
    expect(await listedIds()).not.toContain(ticket.id);
    const events = await h.updates(ticket.id, 3);
    expect(events.map((t) => [t.orderId, t.version])).toEqual([
      [first.id, 1],
      [null, 2],
      [second.id, 3],
    ]);
  });

  it('ignores a stale order.created that arrives after a newer order took the ticket', async () => {
    const ticket = await h.createTicket(seller);
    const stale = orderCreated(ticket);
    const current = orderCreated(ticket);
    await h.publish('order.created', current);
    await holder(ticket.id, current.id, 1);

    await h.publish('order.created', stale);
    await sleep(300);
    expect(await h.row(ticket.id)).toMatchObject({ order_id: current.id, version: 1 });
    await h.publish('order.cancelled', orderSettled(ticket.id, stale.id));
    await h.settled('tickets-order-cancelled');
    await h.settled('tickets-order-created');

    expect(await h.row(ticket.id)).toMatchObject({ order_id: current.id, version: 1 });
    expect(await h.ticketEvents('ticket.updated', ticket.id)).toHaveLength(1);
  });

  it('keeps the ticket available when an order.cancelled overtakes its order.created', async () => {
    const ticket = await h.createTicket(seller);
    const order = orderCreated(ticket);
    await h.publish('order.cancelled', orderSettled(ticket.id, order.id));
    await h.settled('tickets-order-cancelled');
    await h.publish('order.created', order);
    await h.settled('tickets-order-created');

    expect(await h.row(ticket.id)).toMatchObject({ order_id: null, version: 0 });
    expect(await listedIds()).toContain(ticket.id);
    expect(await h.ticketEvents('ticket.updated', ticket.id)).toEqual([]);
  });

  it('ends with the ticket available whichever consumer handles a quick create-and-cancel first', async () => {
    const tickets = await Promise.all(Array.from({ length: 5 }, () => h.createTicket(seller)));
    for (const ticket of tickets) {
      const order = orderCreated(ticket);
      await h.publish('order.created', order);
      await h.publish('order.cancelled', orderSettled(ticket.id, order.id));
    }
    await h.settled('tickets-order-created');
    await h.settled('tickets-order-cancelled');

    for (const ticket of tickets) {
      const row = await h.row(ticket.id);
      expect(row?.order_id).toBeNull();
      if (row?.version === 2) {
        expect((await h.updates(ticket.id, 2)).map((t) => [t.orderId, t.version])).toEqual([
          [expect.any(String), 1],
          [null, 2],
        ]);
      } else {
        expect(row?.version).toBe(0);
        expect(await h.ticketEvents('ticket.updated', ticket.id)).toEqual([]);
      }
    }
    expect(await listedIds()).toEqual(expect.arrayContaining(tickets.map((t) => t.id)));
  });

  it('acknowledges a cancellation for a ticket it does not know without changing anything', async () => {
    const before = await h.countTickets();
    const orderId = randomUUID();
    await h.publish('order.cancelled', orderSettled(randomUUID(), orderId));
    await h.settled('tickets-order-cancelled');
    expect(await h.countTickets()).toBe(before);
    const { rowCount } = await h.pool.query('select 1 from cancelled_orders where order_id = $1', [orderId]);
    expect(rowCount).toBe(1);
    expect(await readSubject(h.bus, 'deadletter.tickets-order-cancelled')).toEqual([]);
  });
});
