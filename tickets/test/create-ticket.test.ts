import {
  expectValidationFailure,
  itRejectsUnparsableBodies,
  waitFor,
  useHarness,
} from '@glotixz/common/testing';
import request from 'supertest';
import type { Ticket } from '../src/tickets/tickets.schemas';
import { startTicketsHarness, type TestUser } from './tickets-harness';

let seller: TestUser;
const h = useHarness(() => startTicketsHarness({ DEFAULT_CURRENCY: 'EUR' }));
beforeAll(() => {
  seller = h.user();
});

const post = (body: unknown, authorization = seller.authorization) =>
  request(h.app)
    .post('/api/tickets')
    .set('authorization', authorization)
    .send(body as object);

describe('POST /api/tickets', () => {
  it('creates the ticket at version 0 and publishes ticket.created with the same data', async () => {
    const res = await post({ title: '  Jazz night  ', price: 4_250, currency: 'USD' }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: 'Jazz night',
      price: 4_250,
      currency: 'usd',
      userId: seller.id,
      orderId: null,
      status: 'available',
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
    });

    const [event, ...more] = await waitFor(
      async () => {
        const events = await h.ticketEvents('ticket.created', res.body.id);
        return events.length > 0 ? events : undefined;
      },
      5_000,
      'ticket.created on the stream',
    );
    expect(more).toEqual([]);
    // The event carries the ticket without the API's derived status.
    const { status: _status, heldTerms: _heldTerms, ...data } = res.body as Ticket;
    expect(event).toMatchObject({ subject: 'ticket.created', data });
  });

  it('uses DEFAULT_CURRENCY when the body has no currency', async () => {
    const res = await post({ title: 'Opera', price: 9_900 }).expect(201);
    expect(res.body.currency).toBe('eur');
  });

  it("accepts Stripe's maximum charge of 99,999,999 minor units and a 200-character title", async () => {
    const res = await post({ title: 'x'.repeat(200), price: 99_999_999 }).expect(201);
    expect(res.body).toMatchObject({ title: 'x'.repeat(200), price: 99_999_999 });
  });

  it.each([
    [30, 'gbp'],
    [50, 'usd'],
    [50, 'jpy'],
    [17_500, 'huf'],
  ])("accepts %i minor units of %s, Stripe's minimum charge", async (price, currency) => {
    await post({ title: 'At the minimum', price, currency }).expect(201);
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
      const res = await post({ title: 'Out of limits', price, currency }).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'body.price', min, max: 99_999_999 })]),
      );
      expect(await h.countTickets()).toBe(before);
    },
  );

  it('refuses a price of 100,000,000 minor units, one more than Stripe charges, naming the maximum', async () => {
    const res = await post({ title: 'Too dear', price: 100_000_000, currency: 'usd' }).expect(400);
    expect(res.body.details).toEqual([
      { path: 'body.price', message: 'Price must be at most 99999999 minor units' },
    ]);
  });

  it('refuses a currency whose charge limits Stripe does not document', async () => {
    const res = await post({ title: 'Yuan', price: 10_000, currency: 'cny' }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'body.currency' })]);
  });

  it('answers 401 NOT_AUTHENTICATED without a valid token and writes nothing', async () => {
    const before = await h.countTickets();
    const anonymous = await request(h.app).post('/api/tickets').send({ title: 'A', price: 100 }).expect(401);
    expect(anonymous.body.code).toBe('NOT_AUTHENTICATED');
    const forged = await post({ title: 'A', price: 100 }, 'Bearer not.a.token').expect(401);
    expect(forged.body.code).toBe('NOT_AUTHENTICATED');
    expect(await h.countTickets()).toBe(before);
  });

  describe('rejects bad input with 400 VALIDATION_FAILED naming the field, and writes nothing', () => {
    const cases: [string, string, unknown][] = [
      ['an empty body', 'body.title', {}],
      ['a missing price', 'body.price', { title: 'A' }],
      ['a missing title', 'body.title', { price: 100 }],
      ['a number as title', 'body.title', { title: 42, price: 100 }],
      ['an empty title', 'body.title', { title: '', price: 100 }],
      ['a title of spaces only', 'body.title', { title: '   ', price: 100 }],
      ['a title of 201 characters', 'body.title', { title: 'x'.repeat(201), price: 100 }],
      ['a price of 0', 'body.price', { title: 'A', price: 0 }],
      ['a negative price', 'body.price', { title: 'A', price: -100 }],
      ['a fractional price', 'body.price', { title: 'A', price: 10.5 }],
      ['a price as a string', 'body.price', { title: 'A', price: '100' }],
      ['a price over the cap', 'body.price', { title: 'A', price: 100_000_000 }],
      ['a null price', 'body.price', { title: 'A', price: null }],
      ['an unknown currency', 'body.currency', { title: 'A', price: 100, currency: 'xyz' }],
      [
        'a currency that is not three letters',
        'body.currency',
        { title: 'A', price: 100, currency: 'dollars' },
      ],
      ['a number as currency', 'body.currency', { title: 'A', price: 100, currency: 840 }],
      ['an unknown field', 'body', { title: 'A', price: 100, userId: 'someone' }],
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
      truncatedJson: '{"title": "A", "price": ',
      form: { title: 'A', price: '100' },
    });
  });
});
