import { randomUUID } from 'node:crypto';
import { expectValidationFailure, useHarness } from '@glotixz/common/testing';
import request from 'supertest';
import { startOrdersHarness, type TestUser } from './orders-harness';

// One buyer holds many orders here to page through them: room beyond the default hold cap.
const h = useHarness(() => startOrdersHarness({ MAX_HOLDS_PER_BUYER: '50', ORDER_RATE_MAX: '200' }));

async function orderTickets(buyer: TestUser, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const ticket = await h.listTicket({ title: `Show ${i}` });
    ids.push((await h.placeOrder(buyer, ticket.id)).id);
  }
  return ids;
}

function list(buyer: TestUser, query: Record<string, string> = {}) {
  return request(h.app).get('/api/orders').query(query).set('authorization', buyer.authorization);
}

describe('GET /api/orders', () => {
  it('lists only my orders, newest first, with the ticket from the replica', async () => {
    const buyer = h.user();
    const mine = await orderTickets(buyer, 3);
    await orderTickets(h.user(), 2);

    const res = await list(buyer).expect(200);

    expect(res.body.items.map((o: { id: string }) => o.id)).toEqual([...mine].reverse());
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items[0]).toEqual({
      id: mine[2],
      status: 'awaiting_payment',
      cancelReason: null,
      userId: buyer.id,
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      ticket: {
        id: expect.any(String),
        title: 'Show 2',
        price: 2500,
        fee: 349,
        total: 2849,
        currency: 'usd',
      },
      version: 0,
    });
  });

  it('pages with limit and nextCursor without skipping or repeating, even when creation times tie', async () => {
    const buyer = h.user();
    const mine = await orderTickets(buyer, 7);
    // Several orders created in the same millisecond must still page cleanly (id breaks the tie).
    await h.pool.query(
      `update orders set created_at = '2030-01-01T00:00:00.000Z' where id = any($1::uuid[])`,
      [mine.slice(2, 6)],
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await list(
        buyer,
        cursor ? { limit: '3', cursor } : { limit: '3' },
      ).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((o: { id: string }) => o.id));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);

    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
    expect([...seen].sort()).toEqual([...mine].sort());
    const { rows } = await h.pool.query(
      'select id from orders where user_id = $1 order by created_at desc, id desc',
      [buyer.id],
    );
    expect(seen).toEqual(rows.map((r) => r.id));
  });

  it('answers an empty page for a user without orders', async () => {
    const res = await list(h.user()).expect(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  describe('rejects bad queries with 400 VALIDATION_FAILED', () => {
    const forged = Buffer.from(JSON.stringify(['not a date', randomUUID()])).toString('base64url');
    const cases: [string, Record<string, string>, string][] = [
      ['a garbage cursor', { cursor: 'garbage!' }, 'query.cursor'],
      ['a cursor of the wrong shape', { cursor: forged }, 'query.cursor'],
      ['an empty cursor', { cursor: '' }, 'query.cursor'],
      ['limit 0', { limit: '0' }, 'query.limit'],
      ['limit 101', { limit: '101' }, 'query.limit'],
      ['a non-numeric limit', { limit: 'ten' }, 'query.limit'],
      ['a fractional limit', { limit: '2.5' }, 'query.limit'],
    ];
    it.each(cases)('%s', async (_name, query, path) => {
      const res = await list(h.user(), query).expect(400);
      expectValidationFailure(res.body, path);
    });
  });

  it('answers 401 without a token', async () => {
    const res = await request(h.app).get('/api/orders').expect(401);
    expect(res.body.code).toBe('NOT_AUTHENTICATED');
  });
});

describe('GET /api/orders/:id', () => {
  it('answers my order', async () => {
    const buyer = h.user();
    const [id] = await orderTickets(buyer, 1);
    const res = await request(h.app)
      .get(`/api/orders/${id}`)
      .set('authorization', buyer.authorization)
      .expect(200);
    expect(res.body).toMatchObject({ id, userId: buyer.id, status: 'awaiting_payment', version: 0 });
  });

  it("answers 404 for another user's order, exactly as for an unknown id (I7)", async () => {
    const [id] = await orderTickets(h.user(), 1);
    const stranger = h.user();
    const theirs = await request(h.app)
      .get(`/api/orders/${id}`)
      .set('authorization', stranger.authorization)
      .expect(404);
    const unknown = await request(h.app)
      .get(`/api/orders/${randomUUID()}`)
      .set('authorization', stranger.authorization)
      .expect(404);
    expect(theirs.body).toEqual({ code: 'NOT_FOUND', message: 'Order not found' });
    expect(unknown.body).toEqual(theirs.body);
  });

  it.each(['not-a-uuid', '123', `${randomUUID()}x`, "1' or '1'='1"])(
    'answers 400 VALIDATION_FAILED for the malformed id %s',
    async (id) => {
      const res = await request(h.app)
        .get(`/api/orders/${encodeURIComponent(id)}`)
        .set('authorization', h.user().authorization)
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details).toEqual([expect.objectContaining({ path: 'params.id' })]);
    },
  );

  it('answers 401 without a token', async () => {
    await request(h.app).get(`/api/orders/${randomUUID()}`).expect(401);
  });
});
