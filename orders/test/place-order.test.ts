import { randomUUID } from 'node:crypto';
import {
  expectValidationFailure,
  itRejectsUnparsableBodies,
  waitFor,
  useHarness,
} from '@glotixz/common/testing';
import request from 'supertest';
import { startOrdersHarness } from './orders-harness';

const h = useHarness(() => startOrdersHarness({ EXPIRATION_WINDOW_SECONDS: '600' }));

describe('POST /api/orders', () => {
  it('reserves the ticket: 201 with the order, a row awaiting payment and order.created on the stream', async () => {
    const ticket = await h.listTicket({ title: 'Opera night', price: 4200, currency: 'eur' });
    const buyer = h.user();
    const before = Date.now();

    const res = await request(h.app)
      .post('/api/orders')
      .set('authorization', buyer.authorization)
      .send({ ticketId: ticket.id })
      .expect(201);

    expect(res.body).toEqual({
      id: expect.any(String),
      status: 'awaiting_payment',
      cancelReason: null,
      userId: buyer.id,
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
      ticket: { id: ticket.id, title: 'Opera night', price: 4200, fee: 519, total: 4719, currency: 'eur' },
      version: 0,
    });
    const expiresInMs = Date.parse(res.body.expiresAt) - before;
    expect(expiresInMs).toBeGreaterThan(595_000);
    expect(expiresInMs).toBeLessThan(605_000);

    const row = await h.orderRow(res.body.id);
    expect(row).toMatchObject({
      user_id: buyer.id,
      ticket_id: ticket.id,
      status: 'awaiting_payment',
      version: 0,
    });
    expect(row?.expires_at.toISOString()).toBe(res.body.expiresAt);
    expect(row?.created_at.toISOString()).toBe(res.body.createdAt);
    expect(Date.parse(res.body.createdAt)).toBeGreaterThanOrEqual(before - 1_000);

    const [created, ...more] = await waitFor(
      async () => {
        const found = await h.eventsFor('order.created', res.body.id);
        return found.length > 0 && found;
      },
      5_000,
      'order.created on the stream',
    );
    expect(more).toEqual([]);
    expect(created?.data).toEqual({
      id: res.body.id,
      status: 'awaiting_payment',
      userId: buyer.id,
      expiresAt: res.body.expiresAt,
      version: 0,
      ticket: { id: ticket.id, title: 'Opera night', price: 4200, fee: 519, total: 4719, currency: 'eur' },
      sellerId: ticket.userId,
    });
  });

  it("keeps the order's terms when the seller's edit reaches the replica afterwards (I8)", async () => {
    const ticket = await h.listTicket({ title: 'Gala', price: 90_000, currency: 'usd' });
    const buyer = h.user();
    const order = await h.placeOrder(buyer, ticket.id);
    const terms = { id: ticket.id, title: 'Gala', price: 90_000, fee: 9_099, total: 99_099, currency: 'usd' };

    // The seller's edit was accepted by tickets before it saw the order, and reaches the replica.
    await h.publish('ticket.updated', {
      ...ticket,
      title: 'Cheap gala',
      price: 100,
      currency: 'eur',
      version: 1,
    });
    await waitFor(
      async () => (await h.ticketRow(ticket.id))?.version === 1,
      5_000,
      'the edit in the replica',
    );

    const shown = await request(h.app)
      .get(`/api/orders/${order.id}`)
      .set('authorization', buyer.authorization);
    expect(shown.body.ticket).toEqual(terms);
    const listed = await request(h.app).get('/api/orders').set('authorization', buyer.authorization);
    expect(listed.body.items.find((o: { id: string }) => o.id === order.id)?.ticket).toEqual(terms);
    const cancelled = await request(h.app)
      .post(`/api/orders/${order.id}/cancel`)
      .set('authorization', buyer.authorization)
      .expect(200);
    expect(cancelled.body.ticket).toEqual(terms);
    expect(await h.orderRow(order.id)).toMatchObject({ title: 'Gala', price: '90000', currency: 'usd' });
  });

  it('lets exactly one of 50 buyers racing for one ticket win; the others get 409 TICKET_RESERVED', async () => {
    const ticket = await h.listTicket();
    const buyers = Array.from({ length: 50 }, () => h.user());

    const results = await Promise.all(
      buyers.map((buyer) =>
        request(h.app)
          .post('/api/orders')
          .set('authorization', buyer.authorization)
          .send({ ticketId: ticket.id }),
      ),
    );

    const winners = results.filter((r) => r.status === 201);
    const losers = results.filter((r) => r.status === 409);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(49);
    for (const loser of losers) {
      expect(loser.body).toEqual({ code: 'TICKET_RESERVED', message: expect.any(String) });
    }
    const { rows } = await h.pool.query('select id, status from orders where ticket_id = $1', [ticket.id]);
    expect(rows).toEqual([{ id: winners[0]?.body.id, status: 'awaiting_payment' }]);
    await h.outboxDrained();
    const announced = (await h.events('order.created')).filter((e) => e.data.ticket.id === ticket.id);
    expect(announced.map((e) => e.data.id)).toEqual([winners[0]?.body.id]);
  });

  it('rejects a second order for a reserved ticket with 409 and writes nothing', async () => {
    const ticket = await h.listTicket();
    const first = await h.placeOrder(h.user(), ticket.id);
    const orders = await h.count('orders');

    const res = await request(h.app)
      .post('/api/orders')
      .set('authorization', h.user().authorization)
      .send({ ticketId: ticket.id })
      .expect(409);

    expect(res.body.code).toBe('TICKET_RESERVED');
    expect(await h.count('orders')).toBe(orders);
    await h.outboxDrained();
    const announced = (await h.events('order.created')).filter((e) => e.data.ticket.id === ticket.id);
    expect(announced.map((e) => e.data.id)).toEqual([first.id]);
  });

  it('lets the ticket be ordered again once its order is cancelled', async () => {
    const ticket = await h.listTicket();
    const firstBuyer = h.user();
    const secondBuyer = h.user();
    const first = await h.placeOrder(firstBuyer, ticket.id);
    await request(h.app)
      .post('/api/orders')
      .set('authorization', secondBuyer.authorization)
      .send({ ticketId: ticket.id })
      .expect(409);

    await request(h.app)
      .post(`/api/orders/${first.id}/cancel`)
      .set('authorization', firstBuyer.authorization)
      .expect(200);
    const again = await h.placeOrder(secondBuyer, ticket.id);

    expect(again).toMatchObject({ status: 'awaiting_payment', userId: secondBuyer.id, version: 0 });
    const { rows } = await h.pool.query('select id, status from orders where ticket_id = $1', [ticket.id]);
    expect(rows).toEqual(
      expect.arrayContaining([
        { id: first.id, status: 'cancelled' },
        { id: again.id, status: 'awaiting_payment' },
      ]),
    );
    expect(rows).toHaveLength(2);
  });

  it('answers 404 NOT_FOUND for a ticket the replica does not know', async () => {
    const res = await request(h.app)
      .post('/api/orders')
      .set('authorization', h.user().authorization)
      .send({ ticketId: randomUUID() })
      .expect(404);
    expect(res.body).toEqual({ code: 'NOT_FOUND', message: 'Ticket not found' });
  });

  it('answers 400 OWN_TICKET when the seller tries to buy their own ticket, writing nothing', async () => {
    const seller = h.user();
    const ticket = await h.listTicket({ userId: seller.id });
    const before = await h.count('orders');

    const res = await request(h.app)
      .post('/api/orders')
      .set('authorization', seller.authorization)
      .send({ ticketId: ticket.id })
      .expect(400);

    expect(res.body.code).toBe('OWN_TICKET');
    expect(await h.count('orders')).toBe(before);
  });

  it('answers 401 NOT_AUTHENTICATED without a token, or with a token signed by another key', async () => {
    const ticket = await h.listTicket();
    const anonymous = await request(h.app).post('/api/orders').send({ ticketId: ticket.id }).expect(401);
    expect(anonymous.body.code).toBe('NOT_AUTHENTICATED');
    await request(h.app)
      .post('/api/orders')
      .set('authorization', 'Bearer not-a-token')
      .send({ ticketId: ticket.id })
      .expect(401);
    const { rows } = await h.pool.query('select 1 from orders where ticket_id = $1', [ticket.id]);
    expect(rows).toEqual([]);
  });

  describe('rejects a bad body with 400 and writes nothing', () => {
    const cases: [string, unknown, string][] = [
      ['an empty body', {}, 'body.ticketId'],
      ['a garbage ticketId', { ticketId: 'garbage' }, 'body.ticketId'],
      ['a numeric ticketId', { ticketId: 42 }, 'body.ticketId'],
      ['a null ticketId', { ticketId: null }, 'body.ticketId'],
      ['a ticketId with SQL in it', { ticketId: "1' or '1'='1" }, 'body.ticketId'],
      ['an unknown field', { ticketId: randomUUID(), price: 1 }, 'body'],
      ['a JSON array', [], 'body'],
    ];
    it.each(cases)('%s → VALIDATION_FAILED naming %s', async (_name, body, path) => {
      const before = await h.count('orders');
      const res = await request(h.app)
        .post('/api/orders')
        .set('authorization', h.user().authorization)
        .send(body as object)
        .expect(400);
      expectValidationFailure(res.body, path);
      expect(await h.count('orders')).toBe(before);
    });

    itRejectsUnparsableBodies({
      app: () => h.app,
      path: '/api/orders',
      authorization: () => h.user().authorization,
      truncatedJson: '{"ticketId": ',
      form: { ticketId: randomUUID() },
    });
  });
});
