/**
 * Demo seeding against a small in-memory stand-in for auth and tickets: several sellers with
 * their tickets, a second run that creates nothing, and what happens without the tickets service.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DEMO_SELLERS, DEMO_USER, seedDemo } from '../demo.mjs';

function fakeApi() {
  const users = new Map();
  const tickets = [];
  const calls = [];
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
    const url = new URL(req.url, 'http://x');
    const userOf = () => users.get((req.headers.authorization ?? '').replace('Bearer ', ''));
    const send = (status, json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    calls.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/api/users/signup') {
      if (users.has(body.email)) return send(409, { code: 'EMAIL_IN_USE', message: 'taken' });
      users.set(body.email, { id: `id-${users.size}`, email: body.email, password: body.password });
      return send(201, { ...users.get(body.email), token: body.email });
    }
    if (url.pathname === '/api/users/signin') {
      const user = users.get(body.email);
      if (!user || user.password !== body.password) return send(401, { code: 'INVALID_CREDENTIALS' });
      return send(200, { id: user.id, email: user.email, token: body.email });
    }
    if (url.pathname === '/api/tickets/mine') {
      const user = userOf();
      return send(200, { items: tickets.filter((t) => t.userId === user.id), nextCursor: null });
    }
    if (url.pathname === '/api/tickets' && req.method === 'POST') {
      const ticket = { id: `t-${tickets.length}`, ...body, userId: userOf().id, orderId: null };
      tickets.push(ticket);
      return send(201, ticket);
    }
    return send(404, { code: 'NOT_FOUND', message: 'no route' });
  });
  return { server, users, tickets, calls };
}

describe('seedDemo', () => {
  const api = fakeApi();
  let baseUrl;

  before(async () => {
    api.server.listen(0, '127.0.0.1');
    await once(api.server, 'listening');
    baseUrl = `http://127.0.0.1:${api.server.address().port}`;
  });
  after(() => new Promise((resolve) => api.server.close(resolve)));

  test('creates the demo buyer and several sellers, each with their own tickets', async () => {
    const lines = await seedDemo({ baseUrl, present: new Set(['auth', 'tickets']) });
    assert.ok(DEMO_SELLERS.length >= 3);
    assert.ok(api.users.has(DEMO_USER.email));
    for (const seller of DEMO_SELLERS) {
      const { id } = api.users.get(seller.email);
      const titles = api.tickets.filter((t) => t.userId === id).map((t) => t.title);
      assert.deepEqual(
        titles,
        seller.tickets.map((t) => t.title),
      );
    }
    const total = DEMO_SELLERS.reduce((n, s) => n + s.tickets.length, 0);
    assert.match(lines.at(-1), new RegExp(`${total} created, 0 already there`));
  });

  test('a second run signs in and creates nothing twice', async () => {
    const before = api.tickets.length;
    const lines = await seedDemo({ baseUrl, present: new Set(['auth', 'tickets']) });
    assert.equal(api.tickets.length, before);
    assert.match(lines.at(-1), new RegExp(`0 created, ${before} already there`));
  });

  test('every ticket is priced in integer minor units of a lower-case currency', () => {
    for (const ticket of DEMO_SELLERS.flatMap((s) => s.tickets)) {
      assert.ok(Number.isInteger(ticket.price) && ticket.price > 0, ticket.title);
      assert.match(ticket.currency, /^[a-z]{3}$/);
    }
  });

  test('without the tickets service it only creates the accounts; without auth nothing', async () => {
    const onlyAuth = await seedDemo({ baseUrl, present: new Set(['auth']) });
    assert.equal(onlyAuth.length, 2);
    assert.deepEqual(await seedDemo({ baseUrl, present: new Set(['tickets']) }), [
      'no demo data: the auth service is not in this checkout',
    ]);
  });
});
