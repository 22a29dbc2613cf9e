import { randomUUID } from 'node:crypto';
import { orderCreatedSchema, safeParseEnvelope } from '@glotixz/common/events';
import { createTestUser, useHarness, waitFor } from '@glotixz/common/testing';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../src/app';
import { startOrdersHarness, type TestUser } from './orders-harness';

const h = useHarness(() => startOrdersHarness());

function place(buyer: TestUser, ticketId: string, app = h.app) {
  return request(app).post('/api/orders').set('authorization', buyer.authorization).send({ ticketId });
}

async function ordersFor(ticketId: string): Promise<number> {
  const { rows } = await h.pool.query<{ n: number }>(
    'select count(*)::int as n from orders where ticket_id = $1',
    [ticketId],
  );
  return rows[0]?.n ?? 0;
}

/** Every outbox row ever enqueued for `ticketId`, published or not: what the stream holds. */
async function createdEventsFor(ticketId: string) {
  const all = await h.events('order.created');
  return all.filter((envelope) => (envelope.data as { ticket: { id: string } }).ticket.id === ticketId);
}

describe('the placing statement', () => {
  it('enqueues order.created with the order it inserts, as enqueue writes it: the terms, the seller and the event', async () => {
    const eventId = randomUUID();
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const ticket = await h.listTicket({ title: 'Quartet', price: 3100, currency: 'eur', eventId, startsAt });
    const buyer = h.user();

    const res = await place(buyer, ticket.id).expect(201);

    const [envelope, ...more] = await waitFor(async () => {
      const events = await createdEventsFor(ticket.id);
      return events.length > 0 ? events : undefined;
    }, 5_000);
    expect(more).toEqual([]);
    expect(safeParseEnvelope(envelope)).toEqual({ success: true, envelope });
    expect(envelope).toEqual({
      id: expect.any(String),
      subject: 'order.created',
      version: 1,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: {
        id: res.body.id,
        status: 'awaiting_payment',
        userId: buyer.id,
        expiresAt: res.body.expiresAt,
        version: 0,
        ticket: {
          id: ticket.id,
          title: 'Quartet',
          price: 3100,
          fee: res.body.ticket.fee,
          total: res.body.ticket.total,
          currency: 'eur',
        },
        sellerId: ticket.userId,
        event: { id: eventId, startsAt },
      },
    });
    expect(orderCreatedSchema.parse(envelope?.data)).toEqual(envelope?.data);
  });

  it('leaves out the event of a ticket that has none', async () => {
    const ticket = await h.listTicket();
    const res = await place(h.user(), ticket.id).expect(201);
    const [envelope] = await waitFor(async () => {
      const events = await createdEventsFor(ticket.id);
      return events.length > 0 ? events : undefined;
    }, 5_000);
    expect(envelope?.data).toEqual(expect.objectContaining({ id: res.body.id, sellerId: ticket.userId }));
    expect(envelope?.data).not.toHaveProperty('event');
  });

  it('binds what a buyer controls as data: an email with a quote is stored as it is', async () => {
    const ticket = await h.listTicket();
    const buyer = createTestUser(h.keys, "o'neil+x@example.test");

    const res = await place(buyer, ticket.id).expect(201);

    const { rows } = await h.pool.query<{ buyer_email: string }>(
      'select buyer_email from orders where id = $1',
      [res.body.id],
    );
    expect(rows).toEqual([{ buyer_email: "o'neil+x@example.test" }]);
  });

  it('answers 500 and commits neither the order nor its event when the event would break its contract', async () => {
    // A replica row no ticket.created could have made: an empty title breaks order.created.
    const ticketId = randomUUID();
    await h.pool.query(
      `insert into tickets (id, title, price, currency, user_id, status, version)
       values ($1, '', 1000, 'usd', $2, 'available', 0)`,
      [ticketId, randomUUID()],
    );
    const buyer = h.user();

    const res = await place(buyer, ticketId).expect(500);

    expect(res.body).toEqual({ code: 'INTERNAL', message: expect.any(String) });
    expect(await ordersFor(ticketId)).toBe(0);
    await h.outboxDrained();
    expect(await createdEventsFor(ticketId)).toEqual([]);
    // The connection and the buyer's lock were released: the same buyer places once it is mended.
    await h.pool.query(`update tickets set title = 'Mended' where id = $1`, [ticketId]);
    await place(buyer, ticketId).expect(201);
    expect(await ordersFor(ticketId)).toBe(1);
  });

  it('commits the count of a refused attempt, so refusals use up the placement rate', async () => {
    const limited = createApp({
      config: { ...h.config, ORDER_RATE_MAX: 3, ORDER_RATE_WINDOW_SECONDS: 60 },
      db: h.db,
      logger: pino({ level: 'silent' }),
      natsReady: async () => {},
    }).app;
    const buyer = h.user();
    const held = await h.listTicket();
    await place(h.user(), held.id, limited).expect(201);

    await place(buyer, randomUUID(), limited).expect(404);
    await place(buyer, held.id, limited).expect(409);
    await place(buyer, held.id, limited).expect(409);
    const free = await h.listTicket();
    const refused = await place(buyer, free.id, limited).expect(429);

    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(await ordersFor(free.id)).toBe(0);
    await place(h.user(), free.id, limited).expect(201);
  });
});
