import { randomUUID } from 'node:crypto';
import { expectValidationFailure, useHarness } from '@glotixz/common/testing';
import request from 'supertest';
import { encodePageCursor } from '@glotixz/common/express';
import type { Event } from '../src/catalog/events.schemas';
import { encodeListingCursor } from '../src/tickets/listing-cursor';
import type { Ticket } from '../src/tickets/tickets.schemas';
import { startTicketsHarness, type TestUser } from './tickets-harness';

let seller: TestUser;
const h = useHarness(startTicketsHarness);
beforeAll(() => {
  seller = h.user();
});

interface Page {
  items: Ticket[];
  nextCursor: string | null;
}

async function page(query: Record<string, string | number> = {}): Promise<Page> {
  const res = await request(h.app).get('/api/tickets').query(query).expect(200);
  return res.body as Page;
}

const allPages = (query: Record<string, string | number>) => h.allPages('/api/tickets', query);

type Sort = 'date' | 'price';

const orderBy: Record<Sort, string> = {
  date: 't.starts_at, t.price, t.id',
  price: 't.price, t.starts_at, t.id',
};

/** Available listings of upcoming events, in the order `sort` must follow, with an optional SQL filter. */
async function expectedOrder(sort: Sort = 'date', where = 'true', params: unknown[] = []): Promise<string[]> {
  const { rows } = await h.pool.query<{ id: string }>(
    `select t.id from tickets t join events e on e.id = t.event_id
     where t.status = 'available' and t.starts_at > now() and (${where}) order by ${orderBy[sort]}`,
    params,
  );
  return rows.map((r) => r.id);
}

describe('GET /api/tickets', () => {
  let reservedId: string;
  let unlistedId: string;
  let startedId: string;
  let soon: Event;
  let later: Event;
  let festival: Event;

  beforeAll(async () => {
    const day = 86_400_000;
    soon = await h.createEvent(seller, {
      name: 'Soon show',
      startsAt: new Date(Date.now() + 2 * day).toISOString(),
    });
    later = await h.createEvent(seller, {
      name: 'Later show',
      city: 'Manchester',
      category: 'comedy',
      startsAt: new Date(Date.now() + 9 * day).toISOString(),
    });
    festival = await h.createEvent(seller, {
      name: 'Field festival',
      city: 'München',
      country: 'DE',
      category: 'festival',
      startsAt: new Date(Date.now() + 20 * day).toISOString(),
    });
    for (let i = 0; i < 4; i++) await h.createTicket(seller, { eventId: soon.id, price: 4_000 - i * 500 });
    // Listings sharing an event and a price, so the id decides their order and the cursor must too.
    for (let i = 0; i < 5; i++) await h.createTicket(seller, { eventId: later.id, price: 1_500 });
    for (let i = 0; i < 3; i++)
      await h.createTicket(seller, { eventId: festival.id, price: 1_000 + i * 2_000 });
    const reserved = await h.createTicket(seller, { eventId: soon.id, price: 900 });
    reservedId = reserved.id;
    await h.pool.query(
      "update tickets set order_id = $1, status = 'reserved', held_title = title, held_price = price, held_currency = currency, version = version + 1 where id = $2",
      [randomUUID(), reservedId],
    );
    const unlisted = await h.createTicket(seller, { eventId: later.id, price: 800 });
    unlistedId = unlisted.id;
    await request(h.app)
      .delete(`/api/tickets/${unlistedId}`)
      .set('authorization', seller.authorization)
      .expect(200);
    // An event that has started whose listing the closing job has not reached yet: not on sale.
    const started = await h.createTicket(seller, { title: 'Started show', price: 700 });
    startedId = started.id;
    await h.startEvent(started.eventId);
  });

  it('answers available listings of upcoming events by event start, then price, with a default page of 20, public', async () => {
    const first = await page();
    const expected = await expectedOrder();
    expect(expected).toHaveLength(12);
    expect(first.items.map((t) => t.id)).toEqual(expected);
    expect(first.nextCursor).toBeNull();
    expect(first.items[0]).toEqual({
      id: expect.any(String),
      title: 'Soon show',
      price: 2_500,
      currency: 'usd',
      userId: seller.id,
      orderId: null,
      status: 'available',
      eventId: soon.id,
      event: {
        id: soon.id,
        name: 'Soon show',
        venue: soon.venue,
        city: 'London',
        startsAt: soon.startsAt,
        timezone: 'Europe/London',
      },
      section: null,
      row: null,
      seat: null,
      note: null,
      heldTerms: null,
      version: 0,
    });
    expect(first.items.map((t) => t.price).slice(0, 4)).toEqual([2_500, 3_000, 3_500, 4_000]);
  });

  it('sorts by price, then event start, with sort=price', async () => {
    const { ids } = await allPages({ sort: 'price', limit: 100 });
    expect(ids).toEqual(await expectedOrder('price'));
    const prices = (await page({ sort: 'price', limit: 100 })).items.map((t) => t.price);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it('leaves out reserved, unlisted and started listings', async () => {
    for (const sort of ['date', 'price']) {
      const { ids } = await allPages({ limit: 100, sort });
      expect(ids).not.toContain(reservedId);
      expect(ids).not.toContain(unlistedId);
      expect(ids).not.toContain(startedId);
    }
  });

  describe.each(['date', 'price'] as const)('sort=%s', (sort) => {
    it.each([1, 4, 5, 7, 12])(
      'pages through everything with limit %i without duplicates or gaps',
      async (limit) => {
        const { ids, pages } = await allPages({ limit, sort });
        expect(ids).toEqual(await expectedOrder(sort));
        expect(pages).toBe(Math.ceil(12 / limit));
      },
    );

    it('does not skip or repeat when a listing is added between two page reads', async () => {
      const first = await page({ limit: 3, sort });
      const newcomer = await h.createTicket(seller, { eventId: festival.id, price: 99_000 });
      const rest = await allPages({ limit: 100, sort, cursor: first.nextCursor! });
      const seen = [...first.items.map((t) => t.id), ...rest.ids];
      expect(new Set(seen).size).toBe(seen.length);
      // Sorted last either way, so the later pages include it and nothing else moves.
      expect(seen).toEqual(await expectedOrder(sort));
      expect(seen).toContain(newcomer.id);
      await h.pool.query('delete from tickets where id = $1', [newcomer.id]);
    });
  });

  describe('filters', () => {
    const ids = async (query: Record<string, string | number>) =>
      (await allPages({ limit: 2, ...query })).ids;

    it('eventId: the listings of one event, by price', async () => {
      expect(await ids({ eventId: later.id, sort: 'price' })).toEqual(
        await expectedOrder('price', 't.event_id = $1', [later.id]),
      );
      expect(await ids({ eventId: later.id })).toHaveLength(5);
    });

    it('minPrice and maxPrice: an inclusive price range, paged', async () => {
      const found = await ids({ minPrice: 1_500, maxPrice: 3_000, sort: 'price' });
      expect(found).toEqual(await expectedOrder('price', 't.price between 1500 and 3000'));
      expect(found).toHaveLength(8);
    });

    it('city (case and accents ignored) and category', async () => {
      expect(await ids({ city: 'munchen' })).toEqual(
        await expectedOrder('date', 't.event_id = $1', [festival.id]),
      );
      expect(await ids({ city: 'MANCHESTER', category: 'comedy' })).toHaveLength(5);
      expect(await ids({ city: 'Manchester', category: 'concert' })).toEqual([]);
    });

    it('from and to: bounds on the event start', async () => {
      const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
      expect(await ids({ from: day(5), to: day(15) })).toEqual(
        await expectedOrder('date', 't.event_id = $1', [later.id]),
      );
      expect(await ids({ to: later.startsAt })).toHaveLength(9);
      expect(await ids({ from: festival.startsAt })).toHaveLength(3);
    });

    it('q: the event name, venue or city, with typos', async () => {
      expect(await ids({ q: 'feld festival' })).toEqual(
        await expectedOrder('date', 't.event_id = $1', [festival.id]),
      );
      expect(await ids({ q: 'manchester' })).toHaveLength(5);
      expect(await ids({ q: '  ' })).toEqual(await expectedOrder());
    });
  });

  describe('rejects a bad query with 400 VALIDATION_FAILED', () => {
    const cursor = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
    const cases: [string, string, Record<string, string>][] = [
      ['limit 0', 'query.limit', { limit: '0' }],
      ['limit 101', 'query.limit', { limit: '101' }],
      ['a negative limit', 'query.limit', { limit: '-1' }],
      ['a fractional limit', 'query.limit', { limit: '2.5' }],
      ['a non-numeric limit', 'query.limit', { limit: 'ten' }],
      ['an empty limit', 'query.limit', { limit: '' }],
      ['a cursor that is not base64url', 'query.cursor', { cursor: '%%%' }],
      ['a cursor that is not JSON', 'query.cursor', { cursor: Buffer.from('nope').toString('base64url') }],
      [
        'a cursor with a bad id',
        'query.cursor',
        { cursor: cursor(['date', '2030-01-01T00:00:00.000Z', 100, 'x']) },
      ],
      [
        'a cursor with a bad date',
        'query.cursor',
        { cursor: cursor(['date', 'yesterday', 100, randomUUID()]) },
      ],
      [
        'a cursor of the other pages',
        'query.cursor',
        { cursor: encodePageCursor({ createdAt: new Date(), id: randomUUID() }) },
      ],
      [
        'a cursor of another sort',
        'query.cursor',
        { sort: 'price', cursor: cursor(['date', '2030-01-01T00:00:00.000Z', 100, randomUUID()]) },
      ],
      ['a search over 200 characters', 'query.q', { q: 'x'.repeat(201) }],
      ['an unknown sort', 'query.sort', { sort: 'newest' }],
      ['an unknown category', 'query.category', { category: 'opera' }],
      ['an event id that is not a UUID', 'query.eventId', { eventId: 'abc' }],
      ['a negative minPrice', 'query.minPrice', { minPrice: '-1' }],
      ['a fractional maxPrice', 'query.maxPrice', { maxPrice: '10.5' }],
      ['a from that is not a date', 'query.from', { from: 'next week' }],
      ['a to without an offset', 'query.to', { to: '2030-01-01T00:00:00' }],
    ];
    it.each(cases)('%s → 400 at %s', async (_name, path, query) => {
      const res = await request(h.app).get('/api/tickets').query(query).expect(400);
      expectValidationFailure(res.body, path);
    });

    it('a repeated limit → 400', async () => {
      const res = await request(h.app).get('/api/tickets?limit=1&limit=2').expect(400);
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'query.limit' })]);
    });
  });

  it('accepts a cursor for a position that no longer exists', async () => {
    const cursor = encodeListingCursor({
      sort: 'date',
      startsAt: new Date('9000-01-01T00:00:00.000Z'),
      price: 100,
      id: randomUUID(),
    });
    expect(await page({ cursor })).toEqual({ items: [], nextCursor: null });
  });
});

describe('GET /api/tickets/:id', () => {
  it('answers any ticket, available or reserved, without signing in', async () => {
    const ticket = await h.createTicket(seller, { title: 'Lookup', price: 700, currency: 'gbp' });
    await request(h.app).get(`/api/tickets/${ticket.id}`).expect(200, ticket);

    const orderId = randomUUID();
    await h.pool.query(
      "update tickets set order_id = $1, status = 'reserved', held_title = title, held_price = price, held_currency = currency, version = 1 where id = $2",
      [orderId, ticket.id],
    );
    await request(h.app)
      .get(`/api/tickets/${ticket.id}`)
      .expect(200, {
        ...ticket,
        orderId,
        status: 'reserved',
        heldTerms: { title: ticket.title, price: ticket.price, currency: ticket.currency },
        version: 1,
      });
  });

  it('answers 404 NOT_FOUND for an unknown id', async () => {
    const res = await request(h.app).get(`/api/tickets/${randomUUID()}`).expect(404);
    expect(res.body).toEqual({ code: 'NOT_FOUND', message: 'Ticket not found' });
  });

  it.each(['not-a-uuid', '123', "1' or '1'='1", 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeeeX'])(
    'answers 400 VALIDATION_FAILED for the malformed id %s',
    async (id) => {
      const res = await request(h.app)
        .get(`/api/tickets/${encodeURIComponent(id)}`)
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'params.id' })]);
    },
  );
});
