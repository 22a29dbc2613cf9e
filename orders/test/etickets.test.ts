import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { eTicketSchema, type TicketCreatedData } from '@glotixz/common/events';
import { waitFor, useHarness } from '@glotixz/common/testing';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import request from 'supertest';
import { startOrdersHarness, type TestUser } from './orders-harness';

const h = useHarness(startOrdersHarness);

const startsAt = new Date(Date.now() + 30 * 86_400_000).toISOString();

/** A listing for an event, with a seat, as tickets now publishes it. */
function eventListing(overrides: Partial<TicketCreatedData> = {}): Partial<TicketCreatedData> {
  const eventId = randomUUID();
  return {
    title: 'Jazz night · Section 112, Row F',
    price: 4_500,
    currency: 'gbp',
    eventId,
    startsAt,
    status: 'available',
    event: {
      id: eventId,
      name: 'Jazz night',
      venue: 'Ronnie Scott’s',
      city: 'London',
      country: 'GB',
      timezone: 'Europe/London',
      startsAt,
    },
    seat: { section: '112', row: 'F', seat: null },
    ...overrides,
  };
}

function paymentFor(orderId: string, ticket: Pick<TicketCreatedData, 'price' | 'currency'>) {
  return {
    id: randomUUID(),
    orderId,
    stripePaymentIntentId: `pi_${randomUUID().replaceAll('-', '')}`,
    amount: ticket.price,
    currency: ticket.currency,
  };
}

/** Lists a ticket (for an event unless `overrides` say otherwise), and `buyer` orders it. */
async function placedOrder(overrides: Partial<TicketCreatedData> = {}) {
  const buyer = h.user();
  const ticket = await h.listTicket(eventListing(overrides));
  const order = await h.placeOrder(buyer, ticket.id);
  return { buyer, ticket, orderId: order.id };
}

/** Pays the order and waits until it is complete. */
async function paid(orderId: string, ticket: TicketCreatedData): Promise<void> {
  await h.publish('payment.succeeded', paymentFor(orderId, ticket));
  await waitFor(async () => (await h.orderRow(orderId))?.status === 'complete', 5_000, 'order complete');
}

async function completedEvent(orderId: string) {
  const [completed, ...more] = await waitFor(
    async () => {
      const events = await h.eventsFor('order.completed', orderId);
      return events.length > 0 ? events : undefined;
    },
    5_000,
    'order.completed on the stream',
  );
  expect(more).toEqual([]);
  if (!completed) throw new Error('no order.completed');
  return completed;
}

async function refunded(orderId: string, ticket: TicketCreatedData) {
  const refund = await h.publish('payment.refunded', {
    ...paymentFor(orderId, ticket),
    reason: 'requested_by_customer',
  });
  await waitFor(async () => (await h.orderRow(orderId))?.status === 'refunded', 5_000, 'order refunded');
  return refund;
}

const get = (path: string, user: TestUser) =>
  request(h.app).get(path).set('authorization', user.authorization);

describe('minting the e-ticket as the order completes', () => {
  it('publishes order.completed with the terms, buyer, seller and an e-ticket whose code verifies', async () => {
    const { buyer, ticket, orderId } = await placedOrder();
    await paid(orderId, ticket);

    const completed = await completedEvent(orderId);
    const { eticket, ...data } = completed.data;
    expect(data).toEqual({
      id: orderId,
      version: 1,
      ticket: { id: ticket.id, title: ticket.title, price: 4_500, fee: 529, total: 5_029, currency: 'gbp' },
      userId: buyer.id,
      sellerId: ticket.userId,
    });
    expect(eticket).toEqual({
      code: expect.any(String),
      issuedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      order: { id: orderId },
      ticket: { id: ticket.id, title: ticket.title },
      event: ticket.event,
      seat: { section: '112', row: 'F', seat: null },
      holder: { id: buyer.id, email: buyer.email },
    });
    if (!eticket) throw new Error('no e-ticket');

    expect(decodeProtectedHeader(eticket.code)).toEqual({
      alg: 'ES256',
      typ: 'eticket+jwt',
      kid: h.config.ETICKET_KEY_ID,
    });
    const { payload } = await jwtVerify(eticket.code, h.eticketPublicKey, {
      algorithms: ['ES256'],
      typ: 'eticket+jwt',
    });
    expect(payload).toEqual({
      tid: ticket.id,
      oid: orderId,
      eid: ticket.eventId,
      sub: buyer.id,
      iat: Math.floor(Date.parse(eticket.issuedAt) / 1000),
    });

    // Stored by the same transaction: the order row and its e-ticket.
    const { rows } = await h.pool.query<{ code: string; issued_at: Date }>(
      'select code, issued_at from etickets where order_id = $1',
      [orderId],
    );
    expect(rows).toEqual([{ code: eticket.code, issued_at: new Date(eticket.issuedAt) }]);
  });

  it('prints the seat the order was placed for, whatever the replica hears later (I8)', async () => {
    const { ticket, orderId } = await placedOrder();
    await h.publish('ticket.updated', {
      ...ticket,
      orderId,
      status: 'reserved',
      seat: { section: '999', row: 'Z', seat: '1' },
      version: 1,
    });
    await waitFor(async () => (await h.ticketRow(ticket.id))?.version === 1, 5_000, 'replica at version 1');
    expect(await h.orderRow(orderId)).toMatchObject({ section: '112', row: 'F', seat: null });
    await paid(orderId, ticket);
    const { eticket } = (await completedEvent(orderId)).data;
    expect(eticket?.seat).toEqual({ section: '112', row: 'F', seat: null });
  });

  it('signs nothing another key could pass for', async () => {
    const { ticket, orderId } = await placedOrder();
    await paid(orderId, ticket);
    const { eticket } = (await completedEvent(orderId)).data;
    const { publicKey: otherKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await expect(jwtVerify(eticket?.code ?? '', otherKey, { algorithms: ['ES256'] })).rejects.toThrow();
  });

  it('mints once, however often the payment is delivered', async () => {
    const { ticket, orderId } = await placedOrder();
    const payment = await h.publish('payment.succeeded', paymentFor(orderId, ticket));
    await h.republish(payment);
    await h.publish('payment.succeeded', paymentFor(orderId, ticket));
    await waitFor(async () => (await h.orderRow(orderId))?.status === 'complete', 5_000, 'order complete');
    await h.consumerIdle('payment.succeeded');
    await h.outboxDrained();
    expect(await h.eventsFor('order.completed', orderId)).toHaveLength(1);
    const { rows } = await h.pool.query('select 1 from etickets where order_id = $1', [orderId]);
    expect(rows).toHaveLength(1);
  });

  it('completes an order for a ticket listed before listings had events without an e-ticket', async () => {
    const buyer = h.user();
    const ticket = await h.listTicket({ title: 'Old listing' });
    const { id: orderId } = await h.placeOrder(buyer, ticket.id);
    await paid(orderId, ticket);

    const completed = await completedEvent(orderId);
    expect(completed.data).toEqual({
      id: orderId,
      version: 1,
      ticket: { id: ticket.id, title: 'Old listing', price: 2_500, fee: 349, total: 2_849, currency: 'usd' },
      userId: buyer.id,
      sellerId: ticket.userId,
    });
    await get(`/api/orders/${orderId}/eticket`, buyer).expect(404);
  });

  it('prints no event when the replica never heard its details, but still signs its id', async () => {
    const { ticket, orderId } = await placedOrder({ event: undefined, seat: undefined });
    await paid(orderId, ticket);
    const { eticket } = (await completedEvent(orderId)).data;
    expect(eticket).toMatchObject({ event: null, seat: { section: null, row: null, seat: null } });
    const { payload } = await jwtVerify(eticket?.code ?? '', h.eticketPublicKey);
    expect(payload.eid).toBe(ticket.eventId);
  });
});

describe('GET /api/orders/:id/eticket (and .pdf, .ics)', () => {
  it("answers the buyer's e-ticket, as order.completed carried it", async () => {
    const { buyer, ticket, orderId } = await placedOrder();
    await paid(orderId, ticket);
    const { eticket } = (await completedEvent(orderId)).data;

    const res = await get(`/api/orders/${orderId}/eticket`, buyer).expect(200);
    expect(eTicketSchema.parse(res.body)).toEqual(eticket);
  });

  it('answers a PDF attachment and a calendar entry', async () => {
    const { buyer, ticket, orderId } = await placedOrder();
    await paid(orderId, ticket);

    const pdf = await get(`/api/orders/${orderId}/eticket.pdf`, buyer)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toMatch(
      /^attachment; filename="?glotixz-ticket-[0-9a-f-]{36}\.pdf"?$/,
    );
    expect((pdf.body as Buffer).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const ics = await get(`/api/orders/${orderId}/eticket.ics`, buyer).expect(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    expect(ics.text).toMatch(/^BEGIN:VCALENDAR/);
    expect(ics.text).toContain('Jazz night');
  });

  it.each(['eticket', 'eticket.pdf', 'eticket.ics'])(
    'answers %s with 404 before the order is paid, and to anyone but the buyer',
    async (resource) => {
      const { buyer, ticket, orderId } = await placedOrder();
      const before = await get(`/api/orders/${orderId}/${resource}`, buyer).expect(404);
      expect(before.body).toMatchObject({ code: 'NOT_FOUND' });

      await paid(orderId, ticket);
      await get(`/api/orders/${orderId}/${resource}`, buyer).expect(200);
      const other = await get(`/api/orders/${orderId}/${resource}`, h.user()).expect(404);
      expect(other.body).toMatchObject({ code: 'NOT_FOUND' });
      await get(`/api/orders/${randomUUID()}/${resource}`, buyer).expect(404);
      await request(h.app).get(`/api/orders/${orderId}/${resource}`).expect(401);
    },
  );

  it('answers a malformed order id with 400', async () => {
    const res = await get('/api/orders/not-a-uuid/eticket.pdf', h.user()).expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('answers 409 TICKET_VOID once the order is refunded', async () => {
    const { buyer, ticket, orderId } = await placedOrder();
    await paid(orderId, ticket);
    await refunded(orderId, ticket);

    for (const resource of ['eticket', 'eticket.pdf', 'eticket.ics']) {
      const res = await get(`/api/orders/${orderId}/${resource}`, buyer).expect(409);
      expect(res.body).toMatchObject({ code: 'TICKET_VOID' });
    }
    await get(`/api/orders/${orderId}/eticket`, h.user()).expect(404);
  });
});

describe('payment.refunded', () => {
  it('marks a complete order refunded once, however often it is delivered, and publishes nothing', async () => {
    const { buyer, ticket, orderId } = await placedOrder();
    await paid(orderId, ticket);
    const refund = await refunded(orderId, ticket);
    await h.republish(refund);
    await h.publish('payment.refunded', { ...refund.data, id: randomUUID() });
    await h.consumerIdle('payment.refunded');
    await h.outboxDrained();

    expect(await h.orderRow(orderId)).toMatchObject({ status: 'refunded', version: 2, cancel_reason: null });
    expect(await h.eventsFor('order.completed', orderId)).toHaveLength(1);
    expect(await h.eventsFor('order.cancelled', orderId)).toEqual([]);

    const order = await get(`/api/orders/${orderId}`, buyer).expect(200);
    expect(order.body).toMatchObject({ status: 'refunded', version: 2 });
    const list = await get('/api/orders', buyer).expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id: orderId, status: 'refunded' })]);
    const cancel = await request(h.app)
      .post(`/api/orders/${orderId}/cancel`)
      .set('authorization', buyer.authorization)
      .expect(409);
    expect(cancel.body).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE' });
  });

  it('marks a cancelled order whose late payment was refunded, keeping why it was cancelled', async () => {
    const { buyer, ticket, orderId } = await placedOrder();
    await request(h.app)
      .post(`/api/orders/${orderId}/cancel`)
      .set('authorization', buyer.authorization)
      .expect(200);
    await refunded(orderId, ticket);
    expect(await h.orderRow(orderId)).toMatchObject({
      status: 'refunded',
      version: 2,
      cancel_reason: 'buyer',
    });
    await get(`/api/orders/${orderId}/eticket`, buyer).expect(404);
  });

  it('leaves an order awaiting payment alone', async () => {
    const { ticket, orderId } = await placedOrder();
    await h.publish('payment.refunded', { ...paymentFor(orderId, ticket), reason: 'duplicate' });
    await h.consumerIdle('payment.refunded');
    expect(await h.orderRow(orderId)).toMatchObject({ status: 'awaiting_payment', version: 0 });
  });

  it('lets another buyer order a ticket whose cancelled order was refunded', async () => {
    const { buyer, ticket, orderId } = await placedOrder();
    await request(h.app)
      .post(`/api/orders/${orderId}/cancel`)
      .set('authorization', buyer.authorization)
      .expect(200);
    await refunded(orderId, ticket);
    await h.placeOrder(h.user(), ticket.id);
  });
});

describe('the buyer on the order', () => {
  it("records the buyer's email with the order, for the e-ticket", async () => {
    const { buyer, orderId } = await placedOrder();
    expect(await h.orderRow(orderId)).toMatchObject({ buyer_email: buyer.email });
  });
});
