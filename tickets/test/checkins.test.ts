import { createTestUser, useHarness, waitFor } from '@glotixz/common/testing';
import { SignJWT } from 'jose';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import request from 'supertest';
import type { Ticket } from '../src/tickets/tickets.schemas';
import { orderCreated, orderSettled, startTicketsHarness, type TestUser } from './tickets-harness';

function newKey(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
}

const current = newKey('k-2027');
const previous = newKey('k-2026');
const stranger = newKey('k-2027');

interface Claims {
  tid: string;
  oid: string;
  eid: string;
  sub: string;
}

async function sign(
  claims: Claims,
  key: { kid: string; privateKey: KeyObject } = current,
  typ = 'eticket+jwt',
) {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ })
    .setIssuedAt()
    .sign(key.privateKey);
}

const h = useHarness(() =>
  startTicketsHarness({ ETICKET_PUBLIC_KEYS: JSON.stringify({ keys: [current.jwk, previous.jwk] }) }),
);

let organizer: TestUser;
let seller: TestUser;
let doorman: TestUser;
beforeAll(() => {
  organizer = h.user();
  seller = h.user();
  doorman = createTestUser(h.keys, `door-${randomUUID()}@example.test`);
});

/** An event of `organizer` with one ticket sold to a new order; the code of that ticket. */
async function soldTicket(eventId?: string) {
  const event = eventId ?? (await h.createEvent(organizer)).id;
  const ticket: Ticket = await h.createTicket(seller, { eventId: event });
  const order = orderCreated(ticket);
  await h.publish('order.created', order);
  await h.publish('order.completed', orderSettled(ticket.id, order.id));
  await h.rowWhen(ticket.id, (row) => row.status === 'sold', 'sold');
  const code = await sign({ tid: ticket.id, oid: order.id, eid: event, sub: order.userId });
  return { eventId: event, ticket, order, code };
}

const scan = (user: TestUser, body: Record<string, unknown>) =>
  request(h.app).post('/api/checkins').set('authorization', user.authorization).send(body);

describe('door staff', () => {
  it('lets the organizer add (trimmed, lower-case, idempotent), list and remove staff', async () => {
    const event = await h.createEvent(organizer);
    const path = `/api/events/${event.id}/staff`;
    const first = await request(h.app)
      .post(path)
      .set('authorization', organizer.authorization)
      .send({ email: '  Door@Example.TEST ' })
      .expect(201);
    expect(first.body).toEqual({ email: 'door@example.test', addedAt: expect.any(String) });
    const again = await request(h.app)
      .post(path)
      .set('authorization', organizer.authorization)
      .send({ email: 'door@example.test' })
      .expect(200);
    expect(again.body).toEqual(first.body);
    const list = await request(h.app).get(path).set('authorization', organizer.authorization).expect(200);
    expect(list.body).toEqual({ items: [first.body] });
    await request(h.app)
      .delete(`${path}/DOOR@example.test`)
      .set('authorization', organizer.authorization)
      .expect(204);
    await request(h.app)
      .delete(`${path}/door@example.test`)
      .set('authorization', organizer.authorization)
      .expect(404);
    const after = await request(h.app).get(path).set('authorization', organizer.authorization).expect(200);
    expect(after.body).toEqual({ items: [] });
  });

  it('refuses anyone but the organizer with 403 NOT_EVENT_STAFF, and a missing event with 404', async () => {
    const event = await h.createEvent(organizer);
    const path = `/api/events/${event.id}/staff`;
    const res = await request(h.app)
      .post(path)
      .set('authorization', seller.authorization)
      .send({ email: 'x@example.test' })
      .expect(403);
    expect(res.body.code).toBe('NOT_EVENT_STAFF');
    expect((await request(h.app).get(path).set('authorization', seller.authorization)).body.code).toBe(
      'NOT_EVENT_STAFF',
    );
    await request(h.app).get(path).expect(401);
    await request(h.app)
      .get(`/api/events/${randomUUID()}/staff`)
      .set('authorization', organizer.authorization)
      .expect(404);
    const bad = await request(h.app)
      .post(path)
      .set('authorization', organizer.authorization)
      .send({ email: 'not an email' })
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('POST /api/checkins', () => {
  it('admits a ticket scanned by the organizer, then answers ALREADY_ADMITTED with the first time', async () => {
    const { ticket, code, eventId } = await soldTicket();
    const first = await scan(organizer, { code, eventId }).expect(200);
    expect(first.body).toEqual({
      result: 'admitted',
      admittedAt: expect.any(String),
      ticket: { id: ticket.id, title: ticket.title },
      eventId,
    });
    const second = await scan(organizer, { code }).expect(409);
    expect(second.body).toMatchObject({
      code: 'ALREADY_ADMITTED',
      details: { admittedAt: first.body.admittedAt },
    });
  });

  it('admits for staff added by email (any case), and refuses others with 403 NOT_EVENT_STAFF', async () => {
    const { code, eventId } = await soldTicket();
    expect((await scan(doorman, { code })).body.code).toBe('NOT_EVENT_STAFF');
    expect((await scan(seller, { code })).status).toBe(403);
    await request(h.app)
      .post(`/api/events/${eventId}/staff`)
      .set('authorization', organizer.authorization)
      .send({ email: doorman.email.toUpperCase() })
      .expect(201);
    await scan(doorman, { code }).expect(200);
  });

  it('answers 422 WRONG_EVENT when the ticket is for another event than the one scanned for', async () => {
    const { code } = await soldTicket();
    const other = await h.createEvent(organizer);
    const res = await scan(organizer, { code, eventId: other.id }).expect(422);
    expect(res.body.code).toBe('WRONG_EVENT');
  });

  it('accepts a code signed with the previous key still listed', async () => {
    const { ticket, order, eventId } = await soldTicket();
    const code = await sign({ tid: ticket.id, oid: order.id, eid: eventId, sub: order.userId }, previous);
    await scan(organizer, { code }).expect(200);
  });

  it('answers 400 INVALID_TICKET_CODE for forged, garbled, wrong-kid, wrong-typ and unknown-ticket codes', async () => {
    const { ticket, order, eventId, code } = await soldTicket();
    const claims = { tid: ticket.id, oid: order.id, eid: eventId, sub: order.userId };
    const [header, payload] = code.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...claims, oid: randomUUID(), iat: 1 })).toString(
      'base64url',
    );
    const codes = [
      await sign(claims, stranger),
      await sign(claims, { kid: 'unknown', privateKey: current.privateKey }),
      await sign(claims, current, 'JWT'),
      await sign({ ...claims, tid: randomUUID() }),
      await sign({ ...claims, eid: randomUUID() }),
      `${header}.${otherPayload}.${code.split('.')[2]}`,
      `${header}.${payload}.`,
      'garbage',
      '',
      'a.b.c',
      code.slice(0, -5),
    ];
    for (const bad of codes) {
      const res = await scan(organizer, { code: bad });
      expect({ code: bad, status: res.status, error: res.body.code }).toEqual({
        code: bad,
        status: 400,
        error: 'INVALID_TICKET_CODE',
      });
    }
    await scan(organizer, { code }).expect(200);
  });

  it('answers 409 TICKET_VOID once the order was refunded', async () => {
    const { order, code, eventId } = await soldTicket();
    await h.publish('payment.refunded', {
      id: randomUUID(),
      orderId: order.id,
      stripePaymentIntentId: 'pi_test',
      amount: 2_500,
      currency: 'usd',
      reason: 'requested_by_customer',
    });
    await waitFor(
      async () => {
        const { rows } = await h.pool.query('select 1 from refunded_orders where order_id = $1', [order.id]);
        return rows.length > 0 ? true : undefined;
      },
      5_000,
      'refund recorded',
    );
    const res = await scan(organizer, { code }).expect(409);
    expect(res.body.code).toBe('TICKET_VOID');
    const { rows } = await h.pool.query('select 1 from admissions where order_id = $1', [order.id]);
    expect(rows).toHaveLength(0);
    const attendance = await request(h.app)
      .get(`/api/events/${eventId}/attendance`)
      .set('authorization', organizer.authorization)
      .expect(200);
    expect(attendance.body).toEqual({ sold: 0, admitted: 0, toCome: 0 });
  });

  it('answers TICKET_VOID for a code of an order the ticket was not sold to', async () => {
    const { ticket, eventId } = await soldTicket();
    const code = await sign({ tid: ticket.id, oid: randomUUID(), eid: eventId, sub: randomUUID() });
    expect((await scan(organizer, { code }).expect(409)).body.code).toBe('TICKET_VOID');
  });

  it('admits exactly one of 50 simultaneous scans of one code', async () => {
    const { ticket, code } = await soldTicket();
    const responses = await Promise.all(Array.from({ length: 50 }, () => scan(organizer, { code })));
    const admitted = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 409 && r.body.code === 'ALREADY_ADMITTED');
    expect(admitted).toHaveLength(1);
    expect(refused).toHaveLength(49);
    for (const r of refused) expect(r.body.details.admittedAt).toBe(admitted[0]?.body.admittedAt);
    const { rows } = await h.pool.query('select ticket_id from admissions where ticket_id = $1', [ticket.id]);
    expect(rows).toHaveLength(1);
  });
});

describe('attendance and keys', () => {
  it('counts sold, admitted and still-to-come tickets for organizer and staff only', async () => {
    const first = await soldTicket();
    await soldTicket(first.eventId);
    await soldTicket(first.eventId);
    await scan(organizer, { code: first.code }).expect(200);
    const path = `/api/events/${first.eventId}/attendance`;
    const res = await request(h.app).get(path).set('authorization', organizer.authorization).expect(200);
    expect(res.body).toEqual({ sold: 3, admitted: 1, toCome: 2 });
    expect((await request(h.app).get(path).set('authorization', seller.authorization)).body.code).toBe(
      'NOT_EVENT_STAFF',
    );
  });

  it('publishes the public keys, cacheable, without private parts', async () => {
    const res = await request(h.app).get('/api/checkins/keys').expect(200);
    expect(res.headers['cache-control']).toContain('max-age');
    expect(res.body).toEqual({ keys: [current.jwk, previous.jwk] });
    expect(JSON.stringify(res.body)).not.toContain('"d"');
  });
});
