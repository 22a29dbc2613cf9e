import { randomUUID } from 'node:crypto';
import { expectValidationFailure, useHarness } from '@glotixz/common/testing';
import request from 'supertest';
import { encodePageCursor } from '@glotixz/common/express';
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

async function allPages(query: Record<string, string | number>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const current: Page = await page(cursor ? { ...query, cursor } : query);
    ids.push(...current.items.map((t) => t.id));
    cursor = current.nextCursor;
    pages += 1;
  } while (cursor && pages < 100);
  return { ids, pages };
}

/** Available ticket ids in the order the listing must follow: newest first, then id descending. */
async function expectedOrder(): Promise<string[]> {
  const { rows } = await h.pool.query<{ id: string }>(
    'select id from tickets where order_id is null order by created_at desc, id desc',
  );
  return rows.map((r) => r.id);
}

describe('GET /api/tickets', () => {
  let reservedId: string;

  beforeAll(async () => {
    for (let i = 0; i < 12; i++) await h.createTicket(seller, { title: `Show ${i}`, price: 1_000 + i });
    // Five older tickets sharing one created_at, so the id decides their order and the cursor must too.
    await h.pool.query(
      `insert into tickets (title, price, currency, user_id, created_at)
       select 'Tied ' || n, 500, 'usd', $1, '2020-01-01T00:00:00.000Z' from generate_series(1, 5) as n`,
      [seller.id],
    );
    const reserved = await h.createTicket(seller, { title: 'Reserved show' });
    reservedId = reserved.id;
    await h.pool.query(
      'update tickets set order_id = $1, held_title = title, held_price = price, held_currency = currency, version = version + 1 where id = $2',
      [randomUUID(), reservedId],
    );
  });

  it('answers available tickets newest first with a default page of 20, public', async () => {
    const first = await page();
    const expected = await expectedOrder();
    expect(expected).toHaveLength(17);
    expect(first.items.map((t) => t.id)).toEqual(expected);
    expect(first.nextCursor).toBeNull();
    expect(first.items[0]).toEqual({
      id: expect.any(String),
      title: 'Show 11',
      price: 1_011,
      currency: 'usd',
      userId: seller.id,
      orderId: null,
      status: 'available',
      heldTerms: null,
      version: 0,
    });
  });

  it('leaves out reserved tickets', async () => {
    const { ids } = await allPages({ limit: 100 });
    expect(ids).not.toContain(reservedId);
  });

  it.each([1, 4, 5, 7, 17])(
    'pages through everything with limit %i without duplicates or gaps',
    async (limit) => {
      const { ids, pages } = await allPages({ limit });
      expect(ids).toEqual(await expectedOrder());
      expect(pages).toBe(Math.ceil(17 / limit));
    },
  );

  it('does not skip or repeat when a ticket is listed between two page reads', async () => {
    const first = await page({ limit: 3 });
    const newcomer = await h.createTicket(seller, { title: 'Late arrival' });
    const rest = await allPages({ limit: 100, cursor: first.nextCursor! });
    const seen = [...first.items.map((t) => t.id), ...rest.ids];
    expect(seen).not.toContain(newcomer.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual((await expectedOrder()).filter((id) => id !== newcomer.id));
    await h.pool.query('delete from tickets where id = $1', [newcomer.id]);
  });

  describe('search by title (q)', () => {
    beforeAll(async () => {
      await h.createTicket(seller, { title: 'Taylor SWIFT — Eras Tour' });
      await h.createTicket(seller, { title: 'Swiftly moving comedy' });
      await h.createTicket(seller, { title: '100% Rock' });
      await h.createTicket(seller, { title: '1000 Rock' });
      await h.createTicket(seller, { title: 'under_score night' });
      await h.createTicket(seller, { title: 'underXscore night' });
      await h.createTicket(seller, { title: 'back\\slash' });
    });

    const titles = async (q: string) => (await page({ q, limit: 100 })).items.map((t) => t.title).sort();

    it('matches a substring in any case', async () => {
      expect(await titles('swift')).toEqual(['Swiftly moving comedy', 'Taylor SWIFT — Eras Tour']);
      expect(await titles('ERAS')).toEqual(['Taylor SWIFT — Eras Tour']);
    });

    it('takes %, _ and \\ literally', async () => {
      expect(await titles('100%')).toEqual(['100% Rock']);
      expect(await titles('under_score')).toEqual(['under_score night']);
      expect(await titles('%')).toEqual(['100% Rock']);
      expect(await titles('\\')).toEqual(['back\\slash']);
    });

    it('ignores surrounding spaces and treats an empty q as no filter', async () => {
      expect(await titles('  eras  ')).toEqual(['Taylor SWIFT — Eras Tour']);
      expect((await page({ q: '', limit: 100 })).items.length).toBe((await expectedOrder()).length);
    });

    it('pages through search results with the cursor', async () => {
      const { ids } = await allPages({ q: 'rock', limit: 1 });
      const { rows } = await h.pool.query<{ id: string }>(
        `select id from tickets where order_id is null and title ilike '%rock%' order by created_at desc, id desc`,
      );
      expect(ids).toEqual(rows.map((r) => r.id));
      expect(ids).toHaveLength(2);
    });

    it('does not find reserved tickets', async () => {
      expect(await titles('Reserved show')).toEqual([]);
    });
  });

  describe('rejects a bad query with 400 VALIDATION_FAILED', () => {
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
        { cursor: Buffer.from(JSON.stringify(['2030-01-01T00:00:00.000Z', 'x'])).toString('base64url') },
      ],
      [
        'a cursor with a bad date',
        'query.cursor',
        { cursor: Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url') },
      ],
      ['a search over 200 characters', 'query.q', { q: 'x'.repeat(201) }],
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
    const cursor = encodePageCursor({ createdAt: new Date('2000-01-01T00:00:00.000Z'), id: randomUUID() });
    expect(await page({ cursor })).toEqual({ items: [], nextCursor: null });
  });
});

describe('GET /api/tickets/:id', () => {
  it('answers any ticket, available or reserved, without signing in', async () => {
    const ticket = await h.createTicket(seller, { title: 'Lookup', price: 700, currency: 'gbp' });
    await request(h.app).get(`/api/tickets/${ticket.id}`).expect(200, ticket);

    const orderId = randomUUID();
    await h.pool.query(
      'update tickets set order_id = $1, held_title = title, held_price = price, held_currency = currency, version = 1 where id = $2',
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
