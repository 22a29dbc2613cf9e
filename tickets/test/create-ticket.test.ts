import {
  expectValidationFailure,
  itRejectsUnparsableBodies,
  waitFor,
  useHarness,
} from '@glotixz/common/testing';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import type { Event } from '../src/catalog/events.schemas';
import type { Ticket } from '../src/tickets/tickets.schemas';
import { startTicketsHarness, ticketEventData, type TestUser } from './tickets-harness';

let seller: TestUser;
let event: Event;
const h = useHarness(() => startTicketsHarness({ DEFAULT_CURRENCY: 'EUR' }));
beforeAll(async () => {
  seller = h.user();
  event = await h.createEvent(seller, { name: 'Jazz night', venue: 'Ronnie Scott’s', city: 'London' });
});

/** Posts `body` for the test event (a body that is not an object, or names an event, is sent as it is). */
const post = (body: unknown, authorization = seller.authorization) =>
  request(h.app)
    .post('/api/tickets')
    .set('authorization', authorization)
    .send(
      body !== null && typeof body === 'object' && !Array.isArray(body) && !('eventId' in body)
        ? { eventId: event.id, ...body }
        : (body as object),
    );

describe('POST /api/tickets', () => {
  it('creates the ticket at version 0 and publishes ticket.created with the same data', async () => {
    const res = await post({ price: 4_250, currency: 'USD' }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: 'Jazz night',
      price: 4_250,
      currency: 'usd',
      userId: seller.id,
      orderId: null,
      status: 'available',
      eventId: event.id,
      event: {
        id: event.id,
        name: 'Jazz night',
        venue: 'Ronnie Scott’s',
        city: 'London',
        startsAt: event.startsAt,
        timezone: 'Europe/London',
      },
      section: null,
      row: null,
      seat: null,
      note: null,
      heldTerms: null,
      version: 0,
    });
    expect(res.headers.location).toBe(`/api/tickets/${res.body.id}`);
    expect(await h.row(res.body.id)).toEqual({
      id: res.body.id,
      title: 'Jazz night',
      price: 4_250,
      currency: 'usd',
      user_id: seller.id,
      order_id: null,
      version: 0,
      status: 'available',
      event_id: event.id,
    });

    const [created, ...more] = await waitFor(
      async () => {
        const events = await h.ticketEvents('ticket.created', res.body.id);
        return events.length > 0 ? events : undefined;
      },
      5_000,
      'ticket.created on the stream',
    );
    expect(more).toEqual([]);
    // The event carries the listing with its event id, start and status, without the API's extras.
    expect(created).toEqual(expect.objectContaining({ subject: 'ticket.created' }));
    expect(created?.data).toEqual(ticketEventData(res.body as Ticket));
    expect(created?.data).toMatchObject({ eventId: event.id, startsAt: event.startsAt, status: 'available' });
  });

  it("publishes ticket.created with the event's details and the seat, for the printed e-ticket", async () => {
    const res = await post({ section: '112', row: 'F', price: 5_000 }).expect(201);
    const [created] = await waitFor(
      async () => {
        const events = await h.ticketEvents('ticket.created', res.body.id);
        return events.length > 0 ? events : undefined;
      },
      5_000,
      'ticket.created on the stream',
    );
    expect(created?.data).toMatchObject({
      event: {
        id: event.id,
        name: 'Jazz night',
        venue: 'Ronnie Scott’s',
        city: 'London',
        country: 'GB',
        timezone: 'Europe/London',
        startsAt: event.startsAt,
      },
      seat: { section: '112', row: 'F', seat: null },
    });
  });

  it('derives the title from the event and the seat parts given, and keeps the note', async () => {
    const full = await post({ section: ' 112 ', row: 'F', seat: '7', note: ' Aisle ', price: 5_000 }).expect(
      201,
    );
    expect(full.body).toMatchObject({
      title: 'Jazz night · Section 112, Row F, Seat 7',
      section: '112',
      row: 'F',
      seat: '7',
      note: 'Aisle',
    });
    const partial = await post({ row: 'B', price: 5_000 }).expect(201);
    expect(partial.body).toMatchObject({ title: 'Jazz night · Row B', section: null, row: 'B', seat: null });
    expect((await h.row(partial.body.id))?.title).toBe('Jazz night · Row B');
  });

  it('answers 404 EVENT_NOT_FOUND for an unknown event and writes nothing', async () => {
    const before = await h.countTickets();
    const res = await post({ eventId: randomUUID(), price: 1_000 }).expect(404);
    expect(res.body.code).toBe('EVENT_NOT_FOUND');
    expect(await h.countTickets()).toBe(before);
  });

  it('answers 409 EVENT_STARTED for an event that has started and writes nothing', async () => {
    const started = await h.createEvent(seller);
    await h.startEvent(started.id);
    const before = await h.countTickets();
    const res = await post({ eventId: started.id, price: 1_000 }).expect(409);
    expect(res.body.code).toBe('EVENT_STARTED');
    expect(await h.countTickets()).toBe(before);
  });

  it('uses DEFAULT_CURRENCY when the body has no currency', async () => {
    const res = await post({ price: 9_900 }).expect(201);
    expect(res.body.currency).toBe('eur');
  });

  it("accepts Stripe's maximum charge of 99,999,999 minor units, 20-character seat parts and a 280-character note", async () => {
    const part = 'x'.repeat(20);
    const res = await post({
      section: part,
      row: part,
      seat: part,
      note: 'n'.repeat(280),
      price: 99_999_999,
    }).expect(201);
    expect(res.body).toMatchObject({ section: part, note: 'n'.repeat(280), price: 99_999_999 });
  });

  it.each([
    [30, 'gbp'],
    [50, 'usd'],
    [50, 'jpy'],
    [17_500, 'huf'],
  ])("accepts %i minor units of %s, Stripe's minimum charge", async (price, currency) => {
    await post({ price, currency }).expect(201);
  });

  it.each([
    ['49 cents, below the 50 Stripe charges at least in usd', 49, 'usd', 50],
    ['29 pence, below the 30 in gbp', 29, 'gbp', 30],
    ['49 yen, below the 50 in jpy', 49, 'jpy', 50],
    ['174.99 forints, below the 175.00 in huf', 17_499, 'huf', 17_500],
  ])(
    'refuses a price of %s with 400 VALIDATION_FAILED naming the limits',
    async (_l, price, currency, min) => {
      const before = await h.countTickets();
      const res = await post({ price, currency }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'body.price', min, max: 99_999_999 })]),
      );
      expect(await h.countTickets()).toBe(before);
    },
  );

  it('refuses a price of 100,000,000 minor units, one more than Stripe charges, naming the maximum', async () => {
    const res = await post({ price: 100_000_000, currency: 'usd' }).expect(400);
    expect(res.body.details).toEqual([
      { path: 'body.price', message: 'Price must be at most 99999999 minor units' },
    ]);
  });

  it('refuses a currency whose charge limits Stripe does not document', async () => {
    const res = await post({ price: 10_000, currency: 'cny' }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'body.currency' })]);
  });

  it('answers 401 NOT_AUTHENTICATED without a valid token and writes nothing', async () => {
    const before = await h.countTickets();
    const anonymous = await request(h.app)
      .post('/api/tickets')
      .send({ eventId: event.id, price: 100 })
      .expect(401);
    expect(anonymous.body.code).toBe('NOT_AUTHENTICATED');
    const forged = await post({ price: 100 }, 'Bearer not.a.token').expect(401);
    expect(forged.body.code).toBe('NOT_AUTHENTICATED');
    expect(await h.countTickets()).toBe(before);
  });

  describe('rejects bad input with 400 VALIDATION_FAILED naming the field, and writes nothing', () => {
    const cases: [string, string, unknown][] = [
      ['an empty body', 'body.eventId', { eventId: undefined }],
      ['a missing price', 'body.price', {}],
      ['a missing event', 'body.eventId', { eventId: undefined, price: 100 }],
      ['an event id that is not a UUID', 'body.eventId', { eventId: 'abc', price: 100 }],
      ['a title (derived, never written)', 'body', { title: 'A', price: 100 }],
      ['a number as section', 'body.section', { section: 42, price: 100 }],
      ['an empty row', 'body.row', { row: '', price: 100 }],
      ['a seat of spaces only', 'body.seat', { seat: '   ', price: 100 }],
      ['a section of 21 characters', 'body.section', { section: 'x'.repeat(21), price: 100 }],
      ['a note of 281 characters', 'body.note', { note: 'x'.repeat(281), price: 100 }],
      ['a price of 0', 'body.price', { price: 0 }],
      ['a negative price', 'body.price', { price: -100 }],
      ['a fractional price', 'body.price', { price: 10.5 }],
      ['a price as a string', 'body.price', { price: '100' }],
      ['a price over the cap', 'body.price', { price: 100_000_000 }],
      ['a null price', 'body.price', { price: null }],
      ['an unknown currency', 'body.currency', { price: 100, currency: 'xyz' }],
      ['a currency that is not three letters', 'body.currency', { price: 100, currency: 'dollars' }],
      ['a number as currency', 'body.currency', { price: 100, currency: 840 }],
      ['an unknown field', 'body', { price: 100, userId: 'someone' }],
      ['a JSON array', 'body', []],
    ];
    it.each(cases)('%s → 400 at %s', async (_name, path, body) => {
      const before = await h.countTickets();
      const res = await post(body).expect(400);
      expectValidationFailure(res.body, path);
      expect(await h.countTickets()).toBe(before);
    });

    itRejectsUnparsableBodies({
      app: () => h.app,
      path: '/api/tickets',
      authorization: () => seller.authorization,
      truncatedJson: '{"price": ',
      form: { price: '100' },
    });
  });
});
