import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createTestUser, waitFor, type TestUser } from '@glotixz/common/testing';
import { api, listTicket } from './support/api';
import { countRows } from './support/db';
import { send, type RawResponse } from './support/http';
import { expectInvariants } from './support/invariants';
import { startSystem, type System } from './support/system';
import { forgedTokens, sessionCookie } from './support/tokens';

const JSON_TYPE = { 'content-type': 'application/json' };
const PASSWORD = 'correct horse battery';

/**
 * What a response must carry whatever it is: nosniff, no framing by anyone (X-Frame-Options DENY
 * and, where there is a policy, frame-ancestors 'none'), a referrer policy, same-origin opener and
 * resource policies, a Permissions-Policy, no X-Powered-By; HTML also a Content-Security-Policy.
 */
function missingSecurityHeaders(res: RawResponse, { html }: { html: boolean }): string[] {
  const missing: string[] = [];
  const header = (name: string) => res.headers.get(name) ?? undefined;
  if (header('x-content-type-options') !== 'nosniff') missing.push('X-Content-Type-Options: nosniff');
  if (!/^DENY$/i.test(header('x-frame-options') ?? '')) missing.push('X-Frame-Options: DENY');
  const policy = header('content-security-policy');
  if (policy !== undefined && !/frame-ancestors\s+'none'/.test(policy))
    missing.push("frame-ancestors 'none'");
  if (!header('referrer-policy')) missing.push('Referrer-Policy');
  if (header('cross-origin-opener-policy') !== 'same-origin')
    missing.push('Cross-Origin-Opener-Policy: same-origin');
  if (header('cross-origin-resource-policy') !== 'same-origin')
    missing.push('Cross-Origin-Resource-Policy: same-origin');
  if (!/camera=/.test(header('permissions-policy') ?? '')) missing.push('Permissions-Policy');
  if (header('x-powered-by') !== undefined) missing.push(`no X-Powered-By (got ${header('x-powered-by')})`);
  if (html && !policy) missing.push('Content-Security-Policy');
  return missing;
}

/** The first IPv4 address of this machine that is not loopback, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((info) => info?.family === 'IPv4' && !info.internal)?.address;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * What an attacker tries against the system through the gateway, as a browser or a script would
 * reach it: other users' objects (I7), forged and stale tokens, hostile bodies and ids, password
 * guessing, and the security headers every answer must carry.
 */
describe('abuse through the gateway', () => {
  let system: System;
  let gateway: string;
  let seller: TestUser;
  let buyer: TestUser;
  let stranger: TestUser;
  let ticketId: string;
  let orderId: string;

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth', 'tickets', 'orders', 'payments'],
      web: true,
      env: { auth: { SIGNIN_MAX_FAILURES: '3' } },
      // The buyer polls POST /api/orders until orders knows the ticket: room for the polls.
      orderLimits: { rateMax: 1_000 },
    });
    if (!system.gateway) throw new Error('no gateway');
    gateway = system.gateway.url;
    [seller, buyer, stranger] = [1, 2, 3].map(() => createTestUser(system.keys)) as [
      TestUser,
      TestUser,
      TestUser,
    ];
    const ticket = await listTicket(gateway, seller.token, { title: 'Front row', price: 9900 });
    expect(ticket.status).toBe(201);
    ticketId = ticket.body.id as string;
    const order = await waitFor(
      async () => {
        const res = await api(gateway, 'POST', '/api/orders', { token: buyer.token, body: { ticketId } });
        return res.status === 404 ? undefined : res;
      },
      30_000,
      'orders to know the ticket',
    );
    expect(order.status).toBe(201);
    orderId = order.body.id as string;
  });
  afterAll(async () => {
    await system?.stop();
  });

  /** Rows in every table an abusive request could half-write. */
  async function rowCounts() {
    const { auth, tickets, orders, payments } = system.databases;
    return {
      users: await countRows(auth, 'users'),
      tickets: await countRows(tickets, 'tickets'),
      orders: await countRows(orders, 'orders'),
      payments: await countRows(payments, 'payments'),
      outboxes: [
        await countRows(tickets, 'outbox'),
        await countRows(orders, 'outbox'),
        await countRows(payments, 'outbox'),
      ],
    };
  }

  it("answers 404 for another user's order and payment, and 403 for editing another seller's ticket", async () => {
    const payment = await waitFor(
      async () => {
        const res = await api(gateway, 'POST', '/api/payments', { token: buyer.token, body: { orderId } });
        return res.status === 404 ? undefined : res;
      },
      30_000,
      'payments to know the order',
    );
    expect(payment.status).toBe(201);
    const as = (user: TestUser) => ({ authorization: user.authorization });

    const attempts = {
      'GET the order': await send(gateway, 'GET', `/api/orders/${orderId}`, { headers: as(stranger) }),
      'cancel the order': await send(gateway, 'POST', `/api/orders/${orderId}/cancel`, {
        headers: as(stranger),
      }),
      'DELETE the order': await send(gateway, 'DELETE', `/api/orders/${orderId}`, { headers: as(stranger) }),
      'GET the payment': await send(gateway, 'GET', `/api/payments?orderId=${orderId}`, {
        headers: as(stranger),
      }),
      'pay for the order': await send(gateway, 'POST', '/api/payments', {
        headers: { ...as(stranger), ...JSON_TYPE },
        body: JSON.stringify({ orderId }),
      }),
      'edit the ticket': await send(gateway, 'PUT', `/api/tickets/${ticketId}`, {
        headers: { ...as(stranger), ...JSON_TYPE },
        body: JSON.stringify({ title: 'Mine now', price: 1 }),
      }),
      "the buyer edits the seller's ticket": await send(gateway, 'PUT', `/api/tickets/${ticketId}`, {
        headers: { ...as(buyer), ...JSON_TYPE },
        body: JSON.stringify({ title: 'Mine now', price: 1 }),
      }),
    };
    const answers = Object.fromEntries(
      Object.entries(attempts).map(([what, res]) => [what, `${res.status} ${res.json?.code}`]),
    );
    expect(answers).toEqual({
      'GET the order': '404 NOT_FOUND',
      'cancel the order': '404 NOT_FOUND',
      'DELETE the order': '404 NOT_FOUND',
      'GET the payment': '404 NOT_FOUND',
      'pay for the order': '404 NOT_FOUND',
      'edit the ticket': '403 FORBIDDEN',
      "the buyer edits the seller's ticket": '403 FORBIDDEN',
    });
    // Nothing the stranger did changed anything: the owners still see their objects as they were.
    const order = await api(gateway, 'GET', `/api/orders/${orderId}`, { token: buyer.token });
    expect(order.body).toMatchObject({ status: 'awaiting_payment', version: 0 });
    const ticket = await api(gateway, 'GET', `/api/tickets/${ticketId}`);
    expect(ticket.body).toMatchObject({ title: 'Front row', price: 9900 });
    const own = await api(gateway, 'GET', `/api/payments?orderId=${orderId}`, { token: buyer.token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ orderId });
    await expectInvariants(system);
  });

  it('refuses forged, expired and foreign tokens with 401 NOT_AUTHENTICATED, as Bearer and as cookie', async () => {
    const protectedRoutes: [string, string, string?][] = [
      ['GET', '/api/orders'],
      ['GET', `/api/orders/${orderId}`],
      ['POST', '/api/tickets', JSON.stringify({ title: 'Forged', price: 100 })],
      ['GET', '/api/tickets/mine'],
      ['GET', `/api/payments?orderId=${orderId}`],
      ['POST', '/api/orders', JSON.stringify({ ticketId })],
    ];
    const carriers = {
      bearer: (token: string) => ({ authorization: `Bearer ${token}` }),
      cookie: (token: string) => ({ cookie: sessionCookie(token, system.cookieKeys) }),
    };
    const before = await rowCounts();

    // The same requests with a good token get through, so a 401 below is the token's doing.
    for (const carry of Object.values(carriers)) {
      const res = await send(gateway, 'GET', `/api/orders/${orderId}`, { headers: carry(buyer.token) });
      expect(res.status).toBe(200);
    }

    const accepted: string[] = [];
    for (const [name, token] of Object.entries(forgedTokens(system.keys, stranger, buyer.id))) {
      for (const [carrier, carry] of Object.entries(carriers)) {
        for (const [method, path, body] of protectedRoutes) {
          const res = await send(gateway, method, path, {
            headers: { ...carry(token), ...(body ? JSON_TYPE : {}) },
            body,
          });
          if (res.status !== 401 || res.json?.code !== 'NOT_AUTHENTICATED')
            accepted.push(
              `${name} as ${carrier}: ${method} ${path} → ${res.status} ${res.text.slice(0, 80)}`,
            );
        }
        const me = await send(gateway, 'GET', '/api/users/currentuser', { headers: carry(token) });
        if (me.status !== 200 || me.json?.currentUser !== null)
          accepted.push(`${name} as ${carrier}: currentuser → ${me.status} ${me.text.slice(0, 80)}`);
      }
    }
    // A cookie whose signature does not match its value is ignored, whatever token it carries.
    const [value] = sessionCookie(buyer.token, system.cookieKeys).split(';');
    const unsigned = await send(gateway, 'GET', '/api/orders', {
      headers: { cookie: `${value}; glotixz.sig=${'A'.repeat(27)}` },
    });
    if (unsigned.status !== 401) accepted.push(`a badly signed cookie → ${unsigned.status}`);

    expect(accepted).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it('answers hostile bodies and ids with 4xx and a code, never 5xx, and writes nothing', async () => {
    const before = await rowCounts();
    const auth = { authorization: buyer.authorization };
    const sellerAuth = { authorization: seller.authorization };
    const writes: [string, string, Record<string, string>][] = [
      ['POST', '/api/tickets', sellerAuth],
      ['PUT', `/api/tickets/${ticketId}`, sellerAuth],
      ['POST', '/api/orders', auth],
      ['POST', '/api/payments', auth],
      ['POST', '/api/users/signup', {}],
    ];
    const nested = (depth: number) => `{"title":${'['.repeat(depth)}${']'.repeat(depth)},"price":100}`;
    const bodies: Record<
      string,
      { body: string | Buffer; headers?: Record<string, string>; status: number[] }
    > = {
      'an oversized body': {
        body: JSON.stringify({ title: 'x'.repeat(300_000), price: 100, email: 'a@b.c', ticketId, orderId }),
        status: [413],
      },
      'malformed JSON': { body: '{"title": "Unclosed", "price": ', status: [400] },
      'JSON sent as text/plain': {
        body: JSON.stringify({ title: 'Plain', price: 100, ticketId, orderId }),
        headers: { 'content-type': 'text/plain' },
        status: [400, 415],
      },
      'a form body': {
        body: `title=Form&price=100&ticketId=${ticketId}&orderId=${orderId}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        status: [400, 415],
      },
      'a top-level string': { body: '"just a string"', status: [400] },
      'a top-level array': { body: JSON.stringify([{ title: 'A', price: 1 }]), status: [400] },
      'deeply nested arrays': { body: nested(40_000), status: [400, 413] },
      'a huge array': {
        body: JSON.stringify({
          title: Array.from({ length: 20_000 }, () => 1),
          price: 1,
          ticketId: [orderId],
        }),
        status: [400],
      },
      'a prototype-polluting body': {
        body: '{"__proto__":{"userId":"x","price":1},"constructor":{"prototype":{"isAdmin":true}}}',
        status: [400],
      },
      'a wrong type for every field': {
        body: JSON.stringify({
          title: 42,
          price: '100',
          email: [],
          password: {},
          ticketId: 7,
          orderId: null,
        }),
        status: [400],
      },
      'an unsupported charset': {
        body: JSON.stringify({ title: 'Latin', price: 100 }),
        headers: { 'content-type': 'application/json; charset=latin1' },
        status: [415],
      },
      'an unsupported content encoding': {
        body: JSON.stringify({ title: 'Packed', price: 100 }),
        headers: { 'content-encoding': 'compress' },
        status: [415],
      },
      'a corrupt gzip body': {
        body: Buffer.from('not gzip at all'),
        headers: { 'content-encoding': 'gzip' },
        status: [400],
      },
    };

    const wrong: string[] = [];
    for (const [what, { body, headers, status }] of Object.entries(bodies)) {
      for (const [method, path, credentials] of writes) {
        const res = await send(gateway, method, path, {
          headers: { ...JSON_TYPE, ...credentials, ...headers },
          body,
        });
        if (!status.includes(res.status) || typeof res.json?.code !== 'string')
          wrong.push(`${what}: ${method} ${path} → ${res.status} ${res.text.slice(0, 100)}`);
      }
    }

    const malformedIds = [
      'not-a-uuid',
      '123',
      `${orderId}x`,
      "1' or '1'='1",
      '%E0%A4%A',
      '..%2f..%2fetc',
      '%00',
    ];
    const reads: [string, (id: string) => string, Record<string, string>][] = [
      ['GET', (id) => `/api/orders/${id}`, auth],
      ['POST', (id) => `/api/orders/${id}/cancel`, auth],
      ['DELETE', (id) => `/api/orders/${id}`, auth],
      ['GET', (id) => `/api/tickets/${id}`, {}],
      ['GET', (id) => `/api/payments?orderId=${id}`, auth],
    ];
    for (const id of [...malformedIds, randomUUID()]) {
      for (const [method, path, credentials] of reads) {
        const res = await send(gateway, method, path(id), { headers: credentials });
        if (![400, 404].includes(res.status) || typeof res.json?.code !== 'string')
          wrong.push(`${method} ${path(id)} → ${res.status} ${res.text.slice(0, 100)}`);
      }
    }
    const queries = [
      '/api/tickets?limit=-1',
      '/api/tickets?limit=abc',
      '/api/tickets?limit=1e9',
      '/api/tickets?cursor=garbage',
      '/api/tickets?limit=1&limit=2',
      '/api/tickets?cursor[a]=b',
      '/api/orders?cursor=%ff%fe',
      '/api/payments?orderId[]=a&orderId[]=b',
      '/api/payments',
    ];
    for (const path of queries) {
      const res = await send(gateway, 'GET', path, { headers: auth });
      if (res.status >= 500 || (res.status >= 400 && typeof res.json?.code !== 'string'))
        wrong.push(`GET ${path} → ${res.status} ${res.text.slice(0, 100)}`);
    }
    const placed = await send(gateway, 'POST', '/api/orders', {
      headers: { ...JSON_TYPE, ...auth },
      body: JSON.stringify({ ticketId: randomUUID() }),
    });
    if (placed.status !== 404) wrong.push(`an order for an unknown ticket → ${placed.status}`);

    expect(wrong).toEqual([]);
    expect(await rowCounts()).toEqual(before);
    await expectInvariants(system);
  });

  it('locks out password guessing with 429 and Retry-After, even for the right password', async () => {
    const email = `victim-${randomUUID()}@example.com`;
    const signup = await api(gateway, 'POST', '/api/users/signup', { body: { email, password: PASSWORD } });
    expect(signup.status).toBe(201);
    const signin = (password: string) =>
      send(gateway, 'POST', '/api/users/signin', {
        headers: JSON_TYPE,
        body: JSON.stringify({ email, password }),
      });

    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const res = await signin(`guess number ${attempt}`);
      expect([res.status, res.json?.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    }
    const limited = await signin('guess number 4');
    expect([limited.status, limited.json?.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(missingSecurityHeaders(limited, { html: false })).toEqual([]);

    const right = await signin(PASSWORD);
    expect([right.status, right.json?.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(right.setCookies).toEqual([]);
  });

  it('sends the security headers on every answer: API, errors, 404s, docs and web pages', async () => {
    const json = { html: false };
    const html = { html: true };
    const pages = await send(gateway, 'GET', '/');
    const asset = /\/_next\/static\/[^"']+\.js/.exec(pages.text)?.[0];
    if (!asset) throw new Error('the home page names no script');
    const checks: [string, string, { headers?: Record<string, string>; body?: string }, { html: boolean }][] =
      [
        ['GET', '/api/tickets', {}, json],
        ['GET', `/api/tickets/${ticketId}`, {}, json],
        ['GET', `/api/tickets/${randomUUID()}`, {}, json],
        ['GET', '/api/tickets/not-a-uuid', {}, json],
        ['GET', '/api/orders', {}, json],
        ['GET', `/api/orders/${orderId}`, { headers: { authorization: buyer.authorization } }, json],
        ['POST', '/api/orders', { headers: JSON_TYPE, body: '{"ticketId":' }, json],
        [
          'POST',
          '/api/tickets',
          { headers: JSON_TYPE, body: JSON.stringify({ t: 'x'.repeat(200_000) }) },
          json,
        ],
        ['GET', '/api/users/currentuser', {}, json],
        ['GET', '/api/payments?orderId=nope', { headers: { authorization: buyer.authorization } }, json],
        ['GET', '/api/users/nowhere', {}, json],
        ['GET', '/api/nowhere', {}, json],
        ['GET', '/api/orders/docs/', {}, html],
        ['GET', '/', {}, html],
        ['GET', '/signin', {}, html],
        ['GET', '/sell', {}, html],
        ['GET', `/tickets/${ticketId}`, {}, html],
        ['GET', `/tickets/${randomUUID()}`, {}, html],
        ['GET', '/no/such/page', {}, html],
        ['GET', asset, {}, json],
      ];
    const policy = pages.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).not.toContain('unsafe-eval');
    const problems: string[] = [];
    for (const [method, path, options, kind] of checks) {
      const res = await send(gateway, method, path, options);
      const missing = missingSecurityHeaders(res, kind);
      if (res.status >= 500) missing.push(`a non-5xx status (got ${res.status})`);
      if (missing.length > 0) problems.push(`${method} ${path} (${res.status}) lacks ${missing.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('reaches no service, the client or the gateway past loopback, so none can be told a forged X-Forwarded-For', async () => {
    const processes = [...Object.values(system.services), system.sandbox, system.client, system.gateway];
    const ports = processes.map((p) => Number(new URL(p?.url ?? '').port));
    expect(ports.every((port) => port > 0)).toBe(true);
    for (const port of ports) expect(await connects('127.0.0.1', port)).toBe(true);
    const external = externalAddress();
    if (!external) return;
    const reachable = [];
    for (const [i, port] of ports.entries()) {
      if (await connects(external, port)) reachable.push(processes[i]?.name);
    }
    expect(reachable).toEqual([]);
  });

  it('sets the session cookie HttpOnly, SameSite and on path /', async () => {
    const res = await send(gateway, 'POST', '/api/users/signup', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email: `cookie-${randomUUID()}@example.com`, password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    expect(res.setCookies).toHaveLength(2);
    for (const cookie of res.setCookies) {
      expect(cookie).toMatch(/^glotixz(\.sig)?=/);
      expect(cookie).toMatch(/;\s*httponly/i);
      expect(cookie).toMatch(/;\s*samesite=(lax|strict)/i);
      expect(cookie).toMatch(/;\s*path=\/(;|$)/i);
    }
  });
});

/** In production the session cookie is `__Host-` prefixed and Secure, and HSTS is on. */
describe('session cookie in production', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth'],
      gateway: true,
      env: { auth: { NODE_ENV: 'production' } },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('is __Host- prefixed, Secure, HttpOnly, SameSite and on path / behind a TLS-terminating proxy', async () => {
    // The mesh terminates TLS and says so in X-Forwarded-Proto; auth trusts its local proxy.
    const res = await send(system.services.auth.url, 'POST', '/api/users/signup', {
      headers: { ...JSON_TYPE, 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ email: `prod-${randomUUID()}@example.com`, password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    expect(res.setCookies).toHaveLength(2);
    for (const cookie of res.setCookies) {
      expect(cookie).toMatch(/^__Host-glotixz(\.sig)?=/);
      expect(cookie).toMatch(/;\s*secure/i);
      expect(cookie).toMatch(/;\s*httponly/i);
      expect(cookie).toMatch(/;\s*samesite=(lax|strict)/i);
      expect(cookie).toMatch(/;\s*path=\/(;|$)/i);
      expect(cookie).not.toMatch(/;\s*domain=/i);
    }
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(missingSecurityHeaders(res, { html: false })).toEqual([]);
  });

  it('never sends the Secure cookie over plain HTTP, and does not fail for it', async () => {
    const res = await send(system.gateway?.url ?? '', 'POST', '/api/users/signup', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email: `plain-${randomUUID()}@example.com`, password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    expect(res.setCookies).toEqual([]);
    await expectInvariants(system);
  });
});
