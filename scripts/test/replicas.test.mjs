/**
 * Several replicas of a service: `--replicas` read into processes per service, the ports the
 * gateway is given for them, and the gateway taking turns between them, leaving out for a while a
 * replica that refuses connections.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createBalancer, createGateway, EJECT_MS, parseUpstreams } from '../gateway.mjs';
import { launchEnv, parseReplicas, processes } from '../services.mjs';

const names = ['auth', 'orders', 'tickets'];

describe('--replicas', () => {
  test('a count applies to every service; named counts win', () => {
    assert.deepEqual(parseReplicas(['2'], names), { auth: 2, orders: 2, tickets: 2 });
    assert.deepEqual(parseReplicas(['orders=3,tickets=2'], names), { orders: 3, tickets: 2 });
    assert.deepEqual(parseReplicas(['orders=3', '2'], names), { auth: 2, orders: 3, tickets: 2 });
    assert.deepEqual(parseReplicas([], names), {});
  });

  test('refuses an unknown service or a count outside 1 to 9, naming it', () => {
    assert.throws(() => parseReplicas(['0'], names), /the count must be 1 to 9 \(got "0"\)/);
    assert.throws(() => parseReplicas(['orders=x'], names), /orders must be 1 to 9/);
    assert.throws(() => parseReplicas(['billing=2'], names), /no service "billing"/);
  });
});

describe('GATEWAY_UPSTREAMS with replicas', () => {
  test('takes a list of ports for a service with replicas', () => {
    assert.deepEqual(parseUpstreams('{"auth":3001,"orders":[3003,3103]}'), {
      auth: 3001,
      orders: [3003, 3103],
    });
    assert.throws(() => parseUpstreams('{"orders":[]}'), /port of orders/);
    assert.throws(() => parseUpstreams('{"orders":[3003,"x"]}'), /port of orders/);
  });

  test('the launch spec gives the gateway every replica, and the sandbox posts webhooks through it', () => {
    const wiring = {
      ports: { auth: 3001, payments: 3004, 'stripe-sandbox': 12111, gateway: 8080 },
      replicas: { payments: [3004, 3104], auth: [3001] },
      databases: {},
      keys: { cookieKeys: ['k'], stripeSecretKey: 'sk_test_x', stripeWebhookSecret: 'whsec_x' },
    };
    const byName = (name) => processes.find((p) => p.name === name);
    const gateway = launchEnv(byName('gateway'), wiring);
    assert.deepEqual(JSON.parse(gateway.GATEWAY_UPSTREAMS), {
      auth: 3001,
      payments: [3004, 3104],
      'stripe-sandbox': 12111,
    });
    assert.equal(
      launchEnv(byName('stripe-sandbox'), wiring).STRIPE_WEBHOOK_URL,
      'http://127.0.0.1:8080/api/payments/webhook',
    );
    const single = { ...wiring, replicas: {} };
    assert.equal(
      launchEnv(byName('stripe-sandbox'), single).STRIPE_WEBHOOK_URL,
      'http://127.0.0.1:3004/api/payments/webhook',
    );
  });
});

describe('the balancer', () => {
  const route = { prefix: '/api/orders', service: 'orders', port: 3003 };
  const refused = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });

  test('takes turns, and uses the route’s own port for a service it was not given', () => {
    const balancer = createBalancer({ orders: [1, 2, 3] });
    const picks = Array.from({ length: 6 }, () => balancer.resolve(route).port);
    assert.deepEqual(picks, [1, 2, 3, 1, 2, 3]);
    assert.deepEqual(balancer.resolve({ ...route, service: 'auth', port: 3001 }), {
      host: '127.0.0.1',
      port: 3001,
    });
  });

  test(`leaves a replica that refused a connection out for ${EJECT_MS} ms, unless every one is out`, () => {
    let clock = 0;
    const balancer = createBalancer({ orders: [1, 2] }, { now: () => clock });
    balancer.onUpstreamError(route, { port: 2 }, refused);
    assert.deepEqual(
      [1, 2, 3].map(() => balancer.resolve(route).port),
      [1, 1, 1],
    );
    balancer.onUpstreamError(route, { port: 1 }, refused);
    assert.ok([1, 2].includes(balancer.resolve(route).port), 'with every replica out, one is still tried');
    clock = EJECT_MS;
    assert.deepEqual(new Set([1, 2, 3, 4].map(() => balancer.resolve(route).port)), new Set([1, 2]));
  });

  test('keeps a replica whose request failed otherwise (a timeout): only a lost connection ejects', () => {
    const balancer = createBalancer({ orders: [1, 2] }, { now: () => 0 });
    balancer.onUpstreamError(route, { port: 2 }, Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    assert.deepEqual(
      [1, 2].map(() => balancer.resolve(route).port),
      [1, 2],
    );
    balancer.onUpstreamError(route, { port: 2 }, Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    assert.deepEqual(
      [1, 2].map(() => balancer.resolve(route).port),
      [1, 1],
    );
  });
});

describe('a gateway in front of two replicas', () => {
  const replicas = [];
  let gateway;
  let origin;

  before(async () => {
    for (const name of ['a', 'b']) {
      const server = http.createServer((_req, res) => res.end(JSON.stringify({ replica: name })));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      replicas.push(server);
    }
    const routes = {
      routes: [{ prefix: '/api/orders', service: 'orders', port: 1 }],
      default: { service: 'client', port: 1 },
    };
    const ports = replicas.map((s) => s.address().port);
    gateway = createGateway({ routes, ...createBalancer({ orders: ports }) });
    gateway.listen(0, '127.0.0.1');
    await once(gateway, 'listening');
    origin = `http://127.0.0.1:${gateway.address().port}`;
  });
  after(async () => {
    await gateway.stop();
    await Promise.all(replicas.filter((s) => s.listening).map((s) => new Promise((r) => s.close(r))));
  });

  const ask = async () => {
    const res = await fetch(`${origin}/api/orders`);
    return res.status === 200 ? (await res.json()).replica : res.status;
  };

  test('spreads requests over both, and after one refuses, sends everything to the other', async () => {
    const seen = [];
    for (let i = 0; i < 4; i += 1) seen.push(await ask());
    assert.deepEqual(seen.sort(), ['a', 'a', 'b', 'b']);

    await new Promise((resolve) => replicas[1].close(resolve));
    replicas[1].closeAllConnections?.();
    const after = [];
    for (let i = 0; i < 6; i += 1) after.push(await ask());
    assert.ok(after.filter((r) => r === 502).length <= 1, `at most one 502: ${after}`);
    assert.ok(
      after.slice(-4).every((r) => r === 'a'),
      `then replica a only: ${after}`,
    );
  });
});
