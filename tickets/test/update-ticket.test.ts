import { randomUUID } from 'node:crypto';
import { expectValidationFailure, sleep, waitFor, useHarness } from '@glotixz/common/testing';
import request from 'supertest';
import type { Ticket } from '../src/tickets/tickets.schemas';
import { startTicketsHarness, ticketEventData, type TestUser } from './tickets-harness';

let seller: TestUser;
const h = useHarness(startTicketsHarness);
beforeAll(() => {
  seller = h.user();
});

const put = (id: string, body: unknown, authorization = seller.authorization) =>
  request(h.app)
    .put(`/api/tickets/${id}`)
    .set('authorization', authorization)
    .send(body as object);

async function updatedEvents(ticketId: string, count: number) {
  return waitFor(
    async () => {
      const events = await h.ticketEvents('ticket.updated', ticketId);
      return events.length >= count ? events : undefined;
    },
    5_000,
    `${count} ticket.updated event(s) for ${ticketId}`,
  );
}

describe('PUT /api/tickets/:id', () => {
  it('changes the sent fields, bumps the version and publishes ticket.updated with the new state', async () => {
    const ticket = await h.createTicket(seller, { title: 'Old title', price: 1_000, currency: 'usd' });
    const res = await put(ticket.id, { section: ' A ', currency: 'EUR' }).expect(200);
    const expected: Ticket = {
      ...ticket,
      title: 'Old title · Section A',
      section: 'A',
      currency: 'eur',
      version: 1,
    };
    expect(res.body).toEqual(expected);
    expect(await h.row(ticket.id)).toMatchObject({
      title: 'Old title · Section A',
      price: 1_000,
      currency: 'eur',
      version: 1,
    });

    const priced = await put(ticket.id, { price: 1_500 }).expect(200);
    expect(priced.body).toEqual({ ...expected, price: 1_500, version: 2 });

    const events = await updatedEvents(ticket.id, 2);
    // The events carry the listing as it is after each change.
    const data = ticketEventData(expected);
    expect(events.map((e) => e.data)).toEqual([data, { ...data, price: 1_500, version: 2 }]);
  });

  it('edits seat parts and the note, null clearing one, and derives the title again', async () => {
    const ticket = await h.createTicket(seller, { title: 'Opera', section: 'Stalls', row: 'C' });
    expect(ticket.title).toBe('Opera · Section Stalls, Row C');
    const res = await put(ticket.id, { section: null, seat: '12', note: 'Near the aisle' }).expect(200);
    expect(res.body).toMatchObject({
      title: 'Opera · Row C, Seat 12',
      section: null,
      row: 'C',
      seat: '12',
      note: 'Near the aisle',
      version: 1,
    });
    const cleared = await put(ticket.id, { row: null, seat: null, note: null }).expect(200);
    expect(cleared.body).toMatchObject({ title: 'Opera', row: null, seat: null, note: null, version: 2 });
  });

  it('edits a listing its seller took down, which stays unlisted', async () => {
    const ticket = await h.createTicket(seller, { price: 3_000 });
    await request(h.app)
      .delete(`/api/tickets/${ticket.id}`)
      .set('authorization', seller.authorization)
      .expect(200);
    const res = await put(ticket.id, { price: 2_000 }).expect(200);
    expect(res.body).toMatchObject({ status: 'unlisted', price: 2_000, version: 2 });
  });

  it('answers 409 EVENT_STARTED once the event has started and changes nothing', async () => {
    const ticket = await h.createTicket(seller, { price: 3_000 });
    await h.startEvent(ticket.eventId);
    const res = await put(ticket.id, { price: 2_000 }).expect(409);
    expect(res.body.code).toBe('EVENT_STARTED');
    expect(await h.row(ticket.id)).toMatchObject({ price: 3_000, version: 0 });
  });

  it('gives every one of 10 concurrent edits its own version and event', async () => {
    const ticket = await h.createTicket(seller);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => put(ticket.id, { price: 1_000 + i })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const versions = results.map((r) => (r.body as Ticket).version).sort((a, b) => a - b);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await h.row(ticket.id))?.version).toBe(10);
    const events = await updatedEvents(ticket.id, 10);
    expect(events.map((e) => (e.data as Ticket).version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("answers 403 FORBIDDEN for another user's ticket and changes nothing", async () => {
    const ticket = await h.createTicket(seller, { title: 'Mine' });
    const other = h.user();
    const res = await put(ticket.id, { note: 'Stolen' }, other.authorization).expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(await h.row(ticket.id)).toMatchObject({ title: 'Mine', version: 0 });
  });

  it('answers 409 TICKET_RESERVED while an order holds the ticket and changes nothing', async () => {
    const ticket = await h.createTicket(seller, { title: 'Held', price: 800 });
    const orderId = randomUUID();
    await h.pool.query(
      "update tickets set order_id = $1, status = 'reserved', held_title = title, held_price = price, held_currency = currency, version = 1 where id = $2",
      [orderId, ticket.id],
    );
    const res = await put(ticket.id, { price: 1 }).expect(409);
    expect(res.body.code).toBe('TICKET_RESERVED');
    expect(await h.row(ticket.id)).toMatchObject({ price: 800, order_id: orderId, version: 1 });
  });

  it("answers 403 rather than 409 for someone else's reserved ticket", async () => {
    const ticket = await h.createTicket(seller);
    await h.pool.query(
      "update tickets set order_id = $1, status = 'reserved', held_title = title, held_price = price, held_currency = currency where id = $2",
      [randomUUID(), ticket.id],
    );
    const res = await put(ticket.id, { price: 1 }, h.user().authorization).expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });

  it('answers 404 NOT_FOUND for an unknown ticket', async () => {
    const res = await put(randomUUID(), { note: 'Ghost' }).expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('answers 401 NOT_AUTHENTICATED without a token and changes nothing', async () => {
    const ticket = await h.createTicket(seller, { title: 'Guarded' });
    const res = await request(h.app).put(`/api/tickets/${ticket.id}`).send({ note: 'Anon' }).expect(401);
    expect(res.body.code).toBe('NOT_AUTHENTICATED');
    expect(await h.row(ticket.id)).toMatchObject({ title: 'Guarded', version: 0 });
  });

  it('answers 400 VALIDATION_FAILED for a malformed id', async () => {
    const res = await put('not-a-uuid', { note: 'X' }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'params.id' })]);
  });

  describe('rejects a bad body with 400 VALIDATION_FAILED and changes nothing', () => {
    let ticket: Ticket;
    beforeAll(async () => {
      ticket = await h.createTicket(seller, { title: 'Stable', price: 1_234 });
    });

    const cases: [string, string, unknown][] = [
      ['an empty body', 'body', {}],
      ['only unknown fields', 'body', { seats: 2 }],
      ['an unknown field beside a valid one', 'body', { note: 'B', orderId: randomUUID() }],
      ['a title (derived, never written)', 'body', { title: 'B' }],
      ['an empty section', 'body.section', { section: '' }],
      ['a row of 21 characters', 'body.row', { row: 'x'.repeat(21) }],
      ['a note of 281 characters', 'body.note', { note: 'x'.repeat(281) }],
      ['a price of 0', 'body.price', { price: 0 }],
      ['a negative price', 'body.price', { price: -5 }],
      ['a fractional price', 'body.price', { price: 9.99 }],
      ['a price as a string', 'body.price', { price: '10' }],
      ['a price over the cap', 'body.price', { price: 100_000_001 }],
      ["Stripe's maximum charge plus one", 'body.price', { price: 100_000_000 }],
      ["a price below Stripe's minimum charge in the ticket's currency", 'body.price', { price: 49 }],
      ["a currency whose minimum charge is above the ticket's price", 'body.price', { currency: 'huf' }],
      ['an unknown currency', 'body.currency', { currency: 'abc' }],
      ['a null price', 'body.price', { price: null }],
      ['a number as seat', 'body.seat', { seat: 7 }],
    ];
    it.each(cases)('%s → 400 at %s', async (_name, path, body) => {
      const res = await put(ticket.id, body).expect(400);
      expectValidationFailure(res.body, path);
      expect(await h.row(ticket.id)).toMatchObject({ title: 'Stable', price: 1_234, version: 0 });
    });
  });
});

describe('an edit racing a reservation', () => {
  it('either lands before the reservation or is refused, and every change gets its own version', async () => {
    const ticket = await h.createTicket(seller);
    const orderId = randomUUID();
    const buyer = randomUUID();
    // Edits spread over ~60 ms with the reservation published in the middle of them.
    const edits = Array.from({ length: 12 }, (_, i) =>
      sleep(i * 5).then(() => put(ticket.id, { price: 2_000 + i })),
    );
    await sleep(25);
    await h.publish('order.created', {
      id: orderId,
      status: 'awaiting_payment',
      userId: buyer,
      expiresAt: new Date(Date.now() + 900_000).toISOString(),
      version: 0,
      ticket: { id: ticket.id, title: ticket.title, price: ticket.price, currency: ticket.currency },
    });
    const results = await Promise.all(edits);
    await waitFor(async () => (await h.row(ticket.id))?.order_id === orderId, 5_000, 'the reservation');

    const accepted = results.filter((r) => r.status === 200).length;
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const row = await h.row(ticket.id);
    expect(row?.version).toBe(accepted + 1);

    const events = await updatedEvents(ticket.id, accepted + 1);
    expect(events.map((e) => (e.data as Ticket).version)).toEqual(
      Array.from({ length: accepted + 1 }, (_, i) => i + 1),
    );
    expect((events.at(-1)?.data as Ticket).orderId).toBe(orderId);
  });
});
