import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { useHarness } from '@glotixz/common/testing';
import { startTicketsHarness, type TestUser } from './tickets-harness';

let seller: TestUser;
const h = useHarness(startTicketsHarness);
beforeAll(() => {
  seller = h.user();
});

const cursorOf = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

describe('a NUL character, which no PostgreSQL text can hold', () => {
  it('in a new section → 400 VALIDATION_FAILED at body.section, nothing written', async () => {
    const event = await h.createEvent(seller);
    const res = await request(h.app)
      .post('/api/tickets')
      .set('authorization', seller.authorization)
      .send({ eventId: event.id, section: 'Front\u0000row', price: 1000 })
      .expect(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ path: 'body.section' })],
    });
    const { rows } = await h.pool.query('select count(*)::int as n from tickets where user_id = $1', [
      seller.id,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('in an edited note → 400 VALIDATION_FAILED at body.note, the ticket unchanged', async () => {
    const ticket = await h.createTicket(seller, { title: 'Balcony', price: 1500 });
    const res = await request(h.app)
      .put(`/api/tickets/${ticket.id}`)
      .set('authorization', seller.authorization)
      .send({ note: '\u0000' })
      .expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'body.note' })]);
    await request(h.app).get(`/api/tickets/${ticket.id}`).expect(200, ticket);
  });

  it('in the search → 400 VALIDATION_FAILED at query.q', async () => {
    const res = await request(h.app).get('/api/tickets?q=a%00b').expect(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ path: 'query.q' })],
    });
  });
});

describe('a cursor no list could have answered', () => {
  const yearZero = cursorOf(['0000-01-01T00:00:00.000Z', randomUUID()]);

  it('on the listing → 400 VALIDATION_FAILED at query.cursor', async () => {
    const listingYearZero = cursorOf(['date', '0000-01-01T00:00:00.000Z', 100, randomUUID()]);
    const res = await request(h.app).get('/api/tickets').query({ cursor: listingYearZero }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
  });

  it('on the events → 400 VALIDATION_FAILED at query.cursor', async () => {
    const res = await request(h.app).get('/api/events').query({ cursor: yearZero }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
  });

  it("on the seller's own tickets → 400 VALIDATION_FAILED at query.cursor", async () => {
    const res = await request(h.app)
      .get('/api/tickets/mine')
      .set('authorization', seller.authorization)
      .query({ cursor: yearZero })
      .expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ path: 'query.cursor' })]);
  });
});
