import { randomUUID } from 'node:crypto';
import { expectValidationFailure, useHarness } from '@glotixz/common/testing';
import request from 'supertest';
import type { Event } from '../src/catalog/events.schemas';
import { eventBody, startTicketsHarness, type TestUser } from './tickets-harness';

let organizer: TestUser;
const h = useHarness(startTicketsHarness);
beforeAll(() => {
  organizer = h.user();
});

const post = (body: unknown, authorization = organizer.authorization) =>
  request(h.app)
    .post('/api/events')
    .set('authorization', authorization)
    .send(body as object);

const countEvents = async (where = 'true', params: unknown[] = []) =>
  Number((await h.pool.query(`select count(*) as n from events where ${where}`, params)).rows[0]?.n);

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

interface Page {
  items: Event[];
  nextCursor: string | null;
}

async function list(query: Record<string, string | number> = {}): Promise<Page> {
  return (await request(h.app).get('/api/events').query(query).expect(200)).body as Page;
}

const allIds = async (query: Record<string, string | number>) => (await h.allPages('/api/events', query)).ids;

describe('POST /api/events', () => {
  it('creates the event (201, Location) organized by the signed-in user, with empty figures', async () => {
    const startsAt = '2031-06-21T18:30:00+01:00';
    const res = await post({
      name: '  Coldplay   | Music of the Spheres ',
      venue: 'Croke Park',
      city: 'Dublin',
      country: 'ie',
      startsAt,
      timezone: 'Europe/Dublin',
      category: 'concert',
    }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Coldplay | Music of the Spheres',
      venue: 'Croke Park',
      city: 'Dublin',
      country: 'IE',
      startsAt: '2031-06-21T17:30:00.000Z',
      timezone: 'Europe/Dublin',
      category: 'concert',
      organizerId: organizer.id,
      available: 0,
      lowestPrice: null,
      currency: null,
    });
    expect(res.headers.location).toBe(`/api/events/${res.body.id}`);
    await request(h.app).get(`/api/events/${res.body.id}`).expect(200, res.body);
  });

  it('answers 200 and the existing event for the same name, venue and start in another case, accents or spacing', async () => {
    const startsAt = inDays(40).toISOString();
    const first = await post(
      eventBody({ name: 'Café Tacvba', venue: 'O2 Academy Brixton', startsAt }),
    ).expect(201);
    const variants = [
      { name: 'cafe tacvba', venue: 'o2 academy brixton' },
      { name: '  CAFÉ   TACVBA ', venue: 'O2  Académy Brixton' },
      { name: 'Cafe\tTacvba', venue: 'O2 Academy Brixton' },
    ];
    for (const variant of variants) {
      const again = await post(eventBody({ ...variant, startsAt })).expect(200);
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBeUndefined();
    }
    // The same instant written with another offset is the same start.
    const offset = new Date(startsAt);
    const local = new Date(offset.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    expect(
      (
        await post(eventBody({ name: 'Café Tacvba', venue: 'O2 Academy Brixton', startsAt: local })).expect(
          200,
        )
      ).body.id,
    ).toBe(first.body.id);
    expect(await countEvents("fold_text(name) = 'cafe tacvba'")).toBe(1);

    // Another venue or another start is another event.
    await post(eventBody({ name: 'Café Tacvba', venue: 'Roundhouse', startsAt })).expect(201);
    await post(
      eventBody({ name: 'Café Tacvba', venue: 'O2 Academy Brixton', startsAt: inDays(41).toISOString() }),
    ).expect(201);
    expect(await countEvents("fold_text(name) = 'cafe tacvba'")).toBe(3);
  });

  it('makes one row of ten concurrent creations of the same event: one 201, nine 200, one id', async () => {
    const body = eventBody({ name: 'Race Night', venue: 'Ally Pally' });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post({ ...body, name: i % 2 ? 'RACE  NIGHT' : 'Race Night' }, h.user().authorization),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await countEvents("fold_text(name) = 'race night'")).toBe(1);
  });

  it('answers 401 NOT_AUTHENTICATED without a token and writes nothing', async () => {
    const before = await countEvents();
    const res = await request(h.app).post('/api/events').send(eventBody()).expect(401);
    expect(res.body.code).toBe('NOT_AUTHENTICATED');
    expect(await countEvents()).toBe(before);
  });

  describe('rejects bad input with 400 VALIDATION_FAILED naming the field, and writes nothing', () => {
    const cases: [string, string, Record<string, unknown>][] = [
      ['a missing name', 'body.name', { name: undefined }],
      ['a name of spaces only', 'body.name', { name: '   ' }],
      ['a name of 121 characters', 'body.name', { name: 'x'.repeat(121) }],
      ['an empty venue', 'body.venue', { venue: '' }],
      ['a city of 81 characters', 'body.city', { city: 'x'.repeat(81) }],
      ['a three-letter country', 'body.country', { country: 'GBR' }],
      ['an unassigned country', 'body.country', { country: 'XX' }],
      ['a start in the past', 'body.startsAt', { startsAt: '2020-01-01T00:00:00Z' }],
      ['a start without an offset', 'body.startsAt', { startsAt: '2031-01-01T20:00:00' }],
      ['a start that is a date only', 'body.startsAt', { startsAt: '2031-01-01' }],
      ['a start that is not a date', 'body.startsAt', { startsAt: 'next friday' }],
      ['an unknown time zone', 'body.timezone', { timezone: 'Mars/Olympus_Mons' }],
      ['an offset as time zone', 'body.timezone', { timezone: '+01:00' }],
      ['an unknown category', 'body.category', { category: 'opera' }],
      ['an organizer (taken from the session)', 'body', { organizerId: randomUUID() }],
    ];
    it.each(cases)('%s → 400 at %s', async (_name, path, overrides) => {
      const before = await countEvents();
      const res = await post(eventBody(overrides)).expect(400);
      expectValidationFailure(res.body, path);
      expect(await countEvents()).toBe(before);
    });
  });
});

describe('event figures', () => {
  const seller = () => organizer;

  it('counts the listings on sale and gives the lowest price in the currency most of them use', async () => {
    const event = await h.createEvent(seller());
    for (const [price, currency] of [
      [3_000, 'usd'],
      [2_000, 'usd'],
      [2_500, 'usd'],
      [500, 'eur'],
      [700, 'eur'],
    ] as const) {
      await h.createTicket(seller(), { eventId: event.id, price, currency });
    }
    // Neither a reserved nor an unlisted listing is on sale.
    const held = await h.createTicket(seller(), { eventId: event.id, price: 100 });
    await h.pool.query(
      "update tickets set order_id = $1, status = 'reserved', held_title = title, held_price = price, held_currency = currency where id = $2",
      [randomUUID(), held.id],
    );
    const down = await h.createTicket(seller(), { eventId: event.id, price: 60 });
    await request(h.app)
      .delete(`/api/tickets/${down.id}`)
      .set('authorization', seller().authorization)
      .expect(200);

    const res = await request(h.app).get(`/api/events/${event.id}`).expect(200);
    expect(res.body).toMatchObject({ available: 5, lowestPrice: 2_000, currency: 'usd' });
    const listed = (await allIds({ limit: 50 })).includes(event.id);
    expect(listed).toBe(true);
    const inList = (await list({ q: event.name })).items.find((e) => e.id === event.id);
    expect(inList).toMatchObject({ available: 5, lowestPrice: 2_000, currency: 'usd' });
  });

  it('breaks a tie between currencies alphabetically', async () => {
    const event = await h.createEvent(seller());
    for (const [price, currency] of [
      [900, 'usd'],
      [800, 'usd'],
      [1_200, 'gbp'],
      [1_100, 'gbp'],
    ] as const) {
      await h.createTicket(seller(), { eventId: event.id, price, currency });
    }
    const res = await request(h.app).get(`/api/events/${event.id}`).expect(200);
    expect(res.body).toMatchObject({ available: 4, lowestPrice: 1_100, currency: 'gbp' });
  });
});

describe('GET /api/events/:id', () => {
  it('answers a past event too', async () => {
    const event = await h.createEvent(organizer);
    await h.startEvent(event.id, 3_600);
    const res = await request(h.app).get(`/api/events/${event.id}`).expect(200);
    expect(res.body).toMatchObject({ id: event.id, name: event.name });
    expect(new Date(res.body.startsAt).getTime()).toBeLessThan(Date.now());
    expect(await allIds({ limit: 50 })).not.toContain(event.id);
  });

  it('answers 404 NOT_FOUND for an unknown id and 400 for a malformed one', async () => {
    expect((await request(h.app).get(`/api/events/${randomUUID()}`).expect(404)).body.code).toBe('NOT_FOUND');
    const bad = await request(h.app).get('/api/events/not-a-uuid').expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ path: 'params.id' })]);
  });
});

describe('GET /api/events', () => {
  const made: Event[] = [];
  const upcomingIds = async (where = 'true', params: unknown[] = []) =>
    (
      await h.pool.query<{ id: string }>(
        `select id from events where starts_at > now() and (${where}) order by starts_at, id`,
        params,
      )
    ).rows.map((r) => r.id);

  beforeAll(async () => {
    const specs = [
      { name: 'Taylor Swift | The Eras Tour', venue: 'Wembley Stadium', city: 'London', days: 3 },
      { name: 'Arctic Monkeys', venue: 'Emirates Old Trafford', city: 'Manchester', days: 5 },
      {
        name: 'Hamlet',
        venue: 'Théâtre du Châtelet',
        city: 'Paris',
        country: 'FR',
        category: 'theatre',
        days: 8,
      },
      {
        name: 'Oktoberfest Night',
        venue: 'Olympiahalle',
        city: 'München',
        country: 'DE',
        category: 'festival',
        days: 12,
      },
      { name: 'Stand-up Gala', venue: 'Apollo', city: 'London', category: 'comedy', days: 12 },
    ];
    for (const { days, ...spec } of specs) {
      made.push(await h.createEvent(organizer, { ...spec, startsAt: inDays(days).toISOString() }));
    }
  });

  it('answers upcoming events soonest first, each with its figures, public', async () => {
    const page = await list({ limit: 50 });
    expect(page.items.map((e) => e.id)).toEqual(await upcomingIds());
    expect(page.items[0]).toHaveProperty('available');
    const starts = page.items.map((e) => e.startsAt);
    expect(starts).toEqual([...starts].sort());
  });

  it.each([1, 2, 3, 7])(
    'pages through everything with limit %i without duplicates or gaps',
    async (limit) => {
      const ids = await allIds({ limit });
      expect(ids).toEqual(await upcomingIds());
      expect(new Set(ids).size).toBe(ids.length);
    },
  );

  it('finds "Taylor Swift" for "tayler swift" (trigram similarity on the name)', async () => {
    const found = (await list({ q: 'tayler swift' })).items.map((e) => e.name);
    expect(found).toContain('Taylor Swift | The Eras Tour');
    expect(found).not.toContain('Arctic Monkeys');
    expect((await list({ q: 'arctik monkeys' })).items.map((e) => e.name)).toContain('Arctic Monkeys');
    // A prefix typed so far is similar enough too (search as you type).
    expect((await list({ q: 'oktob' })).items.map((e) => e.name)).toEqual(['Oktoberfest Night']);
  });

  it('searches the words of name, venue and city, case and accents ignored (full text)', async () => {
    const names = async (q: string) => (await list({ q, limit: 50 })).items.map((e) => e.name).sort();
    expect(await names('wembley')).toEqual(['Taylor Swift | The Eras Tour']);
    expect(await names('CHATELET')).toEqual(['Hamlet']);
    expect(await names('munchen')).toEqual(['Oktoberfest Night']);
    expect(await names('eras tour')).toEqual(['Taylor Swift | The Eras Tour']);
    expect(await names('zzzqqq')).toEqual([]);
  });

  it('filters by city (case and accents ignored), category and start', async () => {
    const ids = async (query: Record<string, string>) =>
      (await list({ ...query, limit: 50 })).items.map((e) => e.name).sort();
    expect(await ids({ city: 'MUNCHEN' })).toEqual(['Oktoberfest Night']);
    expect(await ids({ city: 'london', category: 'comedy' })).toEqual(['Stand-up Gala']);
    const day = (days: number) => inDays(days).toISOString().slice(0, 10);
    expect(await ids({ from: day(4), to: day(8) })).toEqual(['Arctic Monkeys', 'Hamlet']);
    expect(await ids({ from: made[3]!.startsAt, category: 'festival' })).toEqual(['Oktoberfest Night']);
  });

  describe('rejects a bad query with 400 VALIDATION_FAILED', () => {
    const cases: [string, string, Record<string, string>][] = [
      ['limit 0', 'query.limit', { limit: '0' }],
      ['limit 51', 'query.limit', { limit: '51' }],
      ['a cursor that is not one', 'query.cursor', { cursor: 'nope!' }],
      ['an unknown category', 'query.category', { category: 'opera' }],
      ['a from that is not a date', 'query.from', { from: 'soon' }],
      ['a to on a day that does not exist', 'query.to', { to: '2031-02-30' }],
      ['a search over 200 characters', 'query.q', { q: 'x'.repeat(201) }],
      ['a city over 80 characters', 'query.city', { city: 'x'.repeat(81) }],
    ];
    it.each(cases)('%s → 400 at %s', async (_name, path, query) => {
      const res = await request(h.app).get('/api/events').query(query).expect(400);
      expectValidationFailure(res.body, path);
    });
  });
});
