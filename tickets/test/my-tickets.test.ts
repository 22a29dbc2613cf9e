import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Ticket } from '../src/tickets/tickets.schemas';
import { useHarness } from '@glotixz/common/testing';
import { startTicketsHarness, type TestUser } from './tickets-harness';

let seller: TestUser;
let other: TestUser;
const h = useHarness(startTicketsHarness);
beforeAll(() => {
  seller = h.user();
  other = h.user();
});

interface Page {
  items: Ticket[];
  nextCursor: string | null;
}

async function mine(user: TestUser, query: Record<string, string | number> = {}): Promise<Page> {
  const res = await request(h.app)
    .get('/api/tickets/mine')
    .set('authorization', user.authorization)
    .query(query)
    .expect(200);
  return res.body as Page;
}

describe('GET /api/tickets/mine', () => {
  let reserved: Ticket;
  let available: Ticket[];

  beforeAll(async () => {
    available = [];
    for (let i = 0; i < 4; i++) available.push(await h.createTicket(seller, { title: `Mine ${i}` }));
    reserved = await h.createTicket(seller, { title: 'Mine reserved' });
    await h.pool.query(
      "update tickets set order_id = $1, status = 'reserved', held_title = title, held_price = price, held_currency = currency, version = version + 1 where id = $2",
      [randomUUID(), reserved.id],
    );
    await h.createTicket(other, { title: 'Not mine' });
  });

  it("answers only the seller's tickets, reserved ones included, newest first", async () => {
    const page = await mine(seller);
    expect(page.items.map((t) => t.title)).toEqual(['Mine reserved', 'Mine 3', 'Mine 2', 'Mine 1', 'Mine 0']);
    expect(page.items[0]).toMatchObject({ id: reserved.id, orderId: expect.any(String), version: 1 });
    expect(page.items.every((t) => t.userId === seller.id)).toBe(true);
    expect(page.nextCursor).toBeNull();
  });

  it('pages with the cursor without duplicates or gaps', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await mine(seller, cursor ? { limit: 2, cursor } : { limit: 2 });
      ids.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(ids).toEqual([reserved.id, ...available.map((t) => t.id).reverse()]);
  });

  it('answers an empty page to a user who sells nothing', async () => {
    expect(await mine(h.user())).toEqual({ items: [], nextCursor: null });
  });

  it('needs a signed-in user: 401 NOT_AUTHENTICATED', async () => {
    const res = await request(h.app).get('/api/tickets/mine').expect(401);
    expect(res.body.code).toBe('NOT_AUTHENTICATED');
  });

  it('rejects a bad limit or cursor with 400 VALIDATION_FAILED', async () => {
    for (const [query, path] of [
      [{ limit: '0' }, 'query.limit'],
      [{ cursor: '%%%' }, 'query.cursor'],
    ] as const) {
      const res = await request(h.app)
        .get('/api/tickets/mine')
        .set('authorization', seller.authorization)
        .query(query)
        .expect(400);
      expect(res.body.details).toEqual([expect.objectContaining({ path })]);
    }
  });

  it('does not shadow GET /api/tickets/:id', async () => {
    await request(h.app).get(`/api/tickets/${reserved.id}`).expect(200);
  });
});
