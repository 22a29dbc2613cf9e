/**
 * The local gateway: prefix routing with path boundaries, the default and 404 routes, 502 for a
 * down upstream, forwarded headers, streamed bodies and WebSocket upgrades, against throwaway
 * upstream servers on random ports.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  createGateway,
  GATEWAY_LIMITS,
  gatewayLimits,
  loadRoutes,
  matchRoute,
  normalizeTarget,
  OWN_ANSWER_HEADERS,
  parseUpstreams,
  underPrefix,
  validateRoutes,
} from '../gateway.mjs';

const TABLE = {
  routes: [
    { prefix: '/api/users', service: 'auth', port: 1 },
    { prefix: '/api/tickets', service: 'tickets', port: 2 },
    { prefix: '/api/stream', service: 'stream', port: 3 },
    { prefix: '/api/down', service: 'down', port: 4 },
  ],
  notFoundPrefixes: ['/api'],
  default: { service: 'client', port: 5 },
};

async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

async function closedPort() {
  const server = http.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function echoServer(name) {
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
    res.end(
      JSON.stringify({
        service: name,
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      }),
    );
  });
  server.on('upgrade', (req, socket) => {
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `X-Seen-Forwarded-For: ${req.headers['x-forwarded-for']}\r\nX-Seen-Url: ${req.url}\r\n\r\n`,
    );
    socket.on('data', (data) => socket.write(`echo:${data}`));
    socket.on('end', () => socket.end());
  });
  return server;
}

function streamServer() {
  return http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    req.on('data', (chunk) => res.write(chunk.toString().toUpperCase()));
    req.on('end', () => res.end());
  });
}

function request(port, { method = 'GET', path = '/', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function nextChunk(stream) {
  return new Promise((resolve, reject) => {
    stream.once('data', (chunk) => resolve(chunk.toString()));
    stream.once('error', reject);
  });
}

describe('route matching', () => {
  test('a prefix matches itself and paths below it, never a longer segment', () => {
    assert.equal(underPrefix('/api/users', '/api/users'), true);
    assert.equal(underPrefix('/api/users/', '/api/users'), true);
    assert.equal(underPrefix('/api/users/signin', '/api/users'), true);
    assert.equal(underPrefix('/api/usersx', '/api/users'), false);
    assert.equal(underPrefix('/api/user', '/api/users'), false);
    assert.equal(underPrefix('/anything', '/'), true);
  });

  test('unknown /api paths are not found and everything else goes to the default', () => {
    assert.equal(matchRoute(TABLE, '/api/users/currentuser').route.service, 'auth');
    assert.equal(matchRoute(TABLE, '/api/usersx').kind, 'not-found');
    assert.equal(matchRoute(TABLE, '/api').kind, 'not-found');
    assert.equal(matchRoute(TABLE, '/api/orders').kind, 'not-found');
    assert.deepEqual(matchRoute(TABLE, '/'), { kind: 'default', route: TABLE.default });
    assert.equal(matchRoute(TABLE, '/apix').kind, 'default');
    assert.equal(matchRoute(TABLE, '/tickets/new').kind, 'default');
  });

  test('targets are normalised before matching', () => {
    assert.deepEqual(normalizeTarget('/api/tickets/../users/signin?x=1'), {
      pathname: '/api/users/signin',
      path: '/api/users/signin?x=1',
    });
    assert.equal(normalizeTarget('http://example.test/api/users').pathname, '/api/users');
  });

  test('the repository table is valid and routes every API the architecture names', () => {
    const table = loadRoutes();
    assert.equal(matchRoute(table, '/api/users/signup').route.service, 'auth');
    assert.equal(matchRoute(table, '/api/tickets/123').route.service, 'tickets');
    assert.equal(matchRoute(table, '/api/orders').route.service, 'orders');
    assert.equal(matchRoute(table, '/api/payments/webhook').route.service, 'payments');
    assert.equal(matchRoute(table, '/api/nothing').kind, 'not-found');
    assert.equal(matchRoute(table, '/orders/42').route.service, 'client');
  });

  test('an invalid table is rejected with every problem listed', () => {
    assert.throws(
      () => validateRoutes({ routes: [{ prefix: 'api/', service: '', port: 0 }], default: {} }),
      (err) => /prefix/.test(err.message) && /service/.test(err.message) && /default: port/.test(err.message),
    );
  });
});

describe('GATEWAY_UPSTREAMS', () => {
  test('reads a JSON object of service → port; unset or blank is no override', () => {
    assert.deepEqual(parseUpstreams('{"auth":41001,"client":41002}'), { auth: 41001, client: 41002 });
    assert.deepEqual(parseUpstreams(undefined), {});
    assert.deepEqual(parseUpstreams('  '), {});
  });

  test('rejects anything else, naming the problem', () => {
    assert.throws(() => parseUpstreams('auth=1'), /must be JSON/);
    assert.throws(() => parseUpstreams('[1]'), /JSON object/);
    assert.throws(() => parseUpstreams('{"auth":"x"}'), /port of auth/);
    assert.throws(() => parseUpstreams('{"auth":70000}'), /port of auth/);
  });

  test(
    'run directly, the gateway sends each service to its overridden port',
    { timeout: 10000 },
    async () => {
      const client = echoServer('client');
      const auth = echoServer('auth');
      const clientPort = await listen(client);
      const authPort = await listen(auth);
      const gatewayPort = await closedPort();
      const child = spawn(process.execPath, [fileURLToPath(new URL('../gateway.mjs', import.meta.url))], {
        env: {
          ...process.env,
          GATEWAY_PORT: String(gatewayPort),
          GATEWAY_HOST: '127.0.0.1',
          GATEWAY_UPSTREAMS: JSON.stringify({ auth: authPort, client: clientPort }),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        await new Promise((resolve, reject) => {
          child.stdout.on('data', (chunk) => {
            if (String(chunk).includes('gateway listening')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
        });
        assert.equal((await request(gatewayPort, { path: '/api/users/signin' })).json.service, 'auth');
        assert.equal((await request(gatewayPort, { path: '/orders/1' })).json.service, 'client');
      } finally {
        if (child.exitCode === null) {
          const exited = once(child, 'exit');
          child.kill('SIGTERM');
          await exited;
        }
        for (const server of [client, auth]) {
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
        }
      }
    },
  );
});

describe('proxying', () => {
  const upstreams = {};
  const ports = {};
  let gateway;
  let port;
  const logged = [];

  before(async () => {
    for (const name of ['auth', 'tickets', 'client']) {
      upstreams[name] = echoServer(name);
      ports[name] = await listen(upstreams[name]);
    }
    upstreams.stream = streamServer();
    ports.stream = await listen(upstreams.stream);
    ports.down = await closedPort();
    gateway = createGateway({
      routes: TABLE,
      resolve: (route) => ({ host: '127.0.0.1', port: ports[route.service] }),
      log: (entry) => logged.push(entry),
    });
    port = await listen(gateway);
  });

  after(async () => {
    await gateway.stop();
    for (const server of Object.values(upstreams)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('routes by prefix boundary and keeps the path and query', async () => {
    const exact = await request(port, { path: '/api/users' });
    assert.equal(exact.json.service, 'auth');
    const below = await request(port, { path: '/api/users/signin?next=%2F' });
    assert.equal(below.json.service, 'auth');
    assert.equal(below.json.url, '/api/users/signin?next=%2F');
    const tickets = await request(port, { path: '/api/tickets/abc' });
    assert.equal(tickets.json.service, 'tickets');
  });

  test('answers 404 JSON for an unknown API path, even one sharing a prefix', async () => {
    for (const path of ['/api/usersx', '/api/nope', '/api']) {
      const res = await request(port, { path });
      assert.equal(res.status, 404, path);
      assert.equal(res.json.code, 'NOT_FOUND');
      assert.match(res.headers['content-type'], /application\/json/);
    }
  });

  test('sends every other path to the default route', async () => {
    for (const path of ['/', '/tickets/new', '/apix', '/_next/static/chunk.js']) {
      const res = await request(port, { path });
      assert.equal(res.json.service, 'client', path);
      assert.equal(res.json.url, path);
    }
  });

  test('forwards the method, body, status and end-to-end headers', async () => {
    const res = await request(port, {
      method: 'PUT',
      path: '/api/tickets/1',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t0k3n', cookie: 'session=abc' },
      body: '{"title":"x"}',
    });
    assert.equal(res.status, 201);
    assert.equal(res.json.method, 'PUT');
    assert.equal(res.json.body, '{"title":"x"}');
    assert.equal(res.json.headers.authorization, 'Bearer t0k3n');
    assert.equal(res.json.headers.cookie, 'session=abc');
    assert.equal(res.json.headers.host, `127.0.0.1:${port}`);
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
  });

  test('sets X-Forwarded-* and adds an x-request-id echoed in the response', async () => {
    const res = await request(port, {
      path: '/api/users/currentuser',
      headers: { host: 'glotixz.local:8080' },
    });
    const seen = res.json.headers;
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-host'], 'glotixz.local:8080');
    assert.equal(seen.host, 'glotixz.local:8080');
    assert.match(seen['x-request-id'], /^[0-9a-f-]{36}$/);
    assert.equal(res.headers['x-request-id'], seen['x-request-id']);
  });

  test('keeps a given x-request-id and replaces a client-supplied X-Forwarded-For', async () => {
    // The gateway is the edge: a client naming its own address must not get a fresh rate-limit key.
    const res = await request(port, {
      path: '/api/users',
      headers: { 'x-request-id': 'req-123', 'x-forwarded-for': '203.0.113.7' },
    });
    assert.equal(res.json.headers['x-request-id'], 'req-123');
    assert.equal(res.json.headers['x-forwarded-for'], '127.0.0.1');
  });

  test('drops hop-by-hop headers, including those named in Connection', async () => {
    const res = await request(port, {
      path: '/api/users',
      headers: {
        connection: 'keep-alive, x-hop',
        'x-hop': 'secret',
        'keep-alive': 'timeout=5',
        'x-end': 'kept',
      },
    });
    assert.equal(res.json.headers['x-hop'], undefined);
    assert.equal(res.json.headers['keep-alive'], undefined);
    assert.equal(res.json.headers['x-end'], 'kept');
  });

  test('answers 502 JSON naming the service when the upstream is down', async () => {
    const res = await request(port, { path: '/api/down/anything' });
    assert.equal(res.status, 502);
    assert.equal(res.json.code, 'BAD_GATEWAY');
    assert.match(res.json.message, /down is unavailable/);
    assert.ok(res.headers['x-request-id']);
  });

  test("sends the services' answer headers on its own answers", async () => {
    // Built by `npm run build`, which `npm test` runs before these tests.
    const { RAW_ANSWER_HEADERS } = await import('@glotixz/common/express');
    assert.deepEqual(OWN_ANSWER_HEADERS, RAW_ANSWER_HEADERS);
  });

  test('sends security headers on the answers it writes itself', async () => {
    for (const path of ['/api/nope', '/api/down/anything']) {
      const res = await request(port, { path });
      for (const [name, value] of Object.entries(OWN_ANSWER_HEADERS)) {
        assert.equal(res.headers[name], value, `${path}: ${name}`);
      }
    }
  });

  test('streams request and response bodies instead of buffering them', { timeout: 5000 }, async () => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/stream',
      headers: { 'content-type': 'text/plain' },
      agent: false,
    });
    const response = once(req, 'response');
    req.write('hello');
    const [res] = await response;
    assert.equal(await nextChunk(res), 'HELLO');
    req.write('world');
    assert.equal(await nextChunk(res), 'WORLD');
    req.end();
    await once(res, 'end');
  });

  test('passes WebSocket upgrades through both ways', { timeout: 5000 }, async () => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/_next/webpack-hmr?page=1',
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13' },
      agent: false,
    });
    req.end();
    const [res, socket] = await once(req, 'upgrade');
    assert.equal(res.statusCode, 101);
    assert.equal(res.headers['x-seen-forwarded-for'], '127.0.0.1');
    assert.equal(res.headers['x-seen-url'], '/_next/webpack-hmr?page=1');
    socket.write('ping');
    assert.equal(await nextChunk(socket), 'echo:ping');
    socket.destroy();
  });

  test('stop() closes open WebSockets too', { timeout: 5000 }, async () => {
    const own = createGateway({
      routes: TABLE,
      resolve: (route) => ({ host: '127.0.0.1', port: ports[route.service] }),
    });
    const ownPort = await listen(own);
    const req = http.request({
      host: '127.0.0.1',
      port: ownPort,
      path: '/socket',
      headers: { connection: 'Upgrade', upgrade: 'websocket' },
      agent: false,
    });
    req.end();
    const [, socket] = await once(req, 'upgrade');
    const closed = once(socket, 'close');
    await own.stop();
    await closed;
  });

  test('answers an upgrade to a down upstream with 502', { timeout: 5000 }, async () => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/api/down/socket',
      headers: { connection: 'Upgrade', upgrade: 'websocket' },
      agent: false,
    });
    req.end();
    const [res] = await once(req, 'response');
    assert.equal(res.statusCode, 502);
    res.resume();
  });

  test('logs one entry per request with the service and status', async () => {
    logged.length = 0;
    await request(port, { path: '/api/tickets' });
    await new Promise((resolve) => setImmediate(resolve));
    const entry = logged.find((e) => e.path === '/api/tickets');
    assert.equal(entry.service, 'tickets');
    assert.equal(entry.status, 201);
    assert.equal(entry.method, 'GET');
  });
});

describe('upstream keep-alive', () => {
  test(
    'lets an idle upstream connection go before the upstream times it out',
    { timeout: 5000 },
    async () => {
      const upstream = echoServer('tickets');
      // Announced as `Keep-Alive: timeout=2`: reusing the socket after 2 s races the upstream closing it.
      upstream.keepAliveTimeout = 2000;
      const upstreamPort = await listen(upstream);
      const gateway = createGateway({
        routes: TABLE,
        resolve: () => ({ host: '127.0.0.1', port: upstreamPort }),
      });
      const port = await listen(gateway);
      try {
        assert.equal((await request(port, { path: '/api/tickets' })).status, 201);
        const openConnections = () =>
          new Promise((resolve, reject) =>
            upstream.getConnections((err, count) => (err ? reject(err) : resolve(count))),
          );
        assert.equal(await openConnections(), 1);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal(await openConnections(), 0);
      } finally {
        await gateway.stop();
        upstream.closeAllConnections();
        await new Promise((resolve) => upstream.close(resolve));
      }
    },
  );
});

describe('broken exchanges', () => {
  let upstream;
  let gateway;
  let port;
  const closedEarly = [];

  before(async () => {
    upstream = http.createServer((req, res) => {
      res.on('close', () => {
        if (!res.writableFinished) closedEarly.push(req.url);
      });
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '10' });
      res.write('abc');
      // /api/tickets/cut dies mid-answer; /api/tickets/slow never finishes on its own.
      if (req.url === '/api/tickets/cut') setTimeout(() => res.destroy(), 50);
    });
    const upstreamPort = await listen(upstream);
    gateway = createGateway({ routes: TABLE, resolve: () => ({ host: '127.0.0.1', port: upstreamPort }) });
    port = await listen(gateway);
  });

  after(async () => {
    await gateway.stop();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  test('an answer the upstream cuts short is cut short for the client', { timeout: 5000 }, async () => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/tickets/cut', agent: false });
    const [res] = await once(req, 'response');
    assert.equal(res.statusCode, 200);
    assert.equal(await nextChunk(res), 'abc');
    const [err] = await once(res, 'error');
    assert.match(err.message, /aborted/);
  });

  test('a client leaving mid-answer drops the upstream request too', { timeout: 5000 }, async () => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/tickets/slow', agent: false });
    const [res] = await once(req, 'response');
    assert.equal(await nextChunk(res), 'abc');
    res.on('error', () => {});
    req.destroy();
    for (let i = 0; i < 50 && !closedEarly.includes('/api/tickets/slow'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(closedEarly.includes('/api/tickets/slow'), 'the upstream saw its request dropped');
  });
});

/** A raw connection: what it writes, what it has received and when the gateway closed it. */
function rawClient(port, { localAddress } = {}) {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress });
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => Date.now());
  const connected = once(socket, 'connect');
  return {
    socket,
    connected,
    closed,
    received: () => received,
    /** The status and JSON body of the answer received so far. */
    answer() {
      const [head, body = ''] = received.split('\r\n\r\n');
      let json = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(head ?? '')?.[1]), head, json };
    },
  };
}

describe('limits', () => {
  const limits = {
    headersTimeoutMs: 800,
    requestTimeoutMs: 1500,
    bodyIdleTimeoutMs: 1000,
    maxConnectionsPerAddress: 2,
  };
  let upstream;
  let gateway;
  let port;
  const aborted = [];

  before(async () => {
    upstream = http.createServer((req, res) => {
      req.on('aborted', () => aborted.push(req.url));
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    const upstreamPort = await listen(upstream);
    gateway = createGateway({
      routes: TABLE,
      resolve: () => ({ host: '127.0.0.1', port: upstreamPort }),
      limits,
    });
    port = await listen(gateway);
  });

  after(async () => {
    await gateway.stop();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  test('reads its limits from GATEWAY_* variables, defaults when unset, and names bad values', () => {
    assert.deepEqual(gatewayLimits({}), GATEWAY_LIMITS);
    assert.deepEqual(
      gatewayLimits({ GATEWAY_REQUEST_TIMEOUT_MS: '60000', GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: '9' }),
      { ...GATEWAY_LIMITS, requestTimeoutMs: 60_000, maxConnectionsPerAddress: 9 },
    );
    assert.throws(
      () => gatewayLimits({ GATEWAY_BODY_IDLE_TIMEOUT_MS: 'soon', GATEWAY_REQUEST_TIMEOUT_MS: '5000' }),
      /GATEWAY_BODY_IDLE_TIMEOUT_MS must be a positive integer.*GATEWAY_HEADERS_TIMEOUT_MS must not exceed/,
    );
  });

  test(
    'cuts a body trickled byte by byte once the request timeout has passed, with 408 REQUEST_TIMEOUT',
    { timeout: 6000 },
    async () => {
      const client = rawClient(port);
      await client.connected;
      const started = Date.now();
      client.socket.write('POST /api/tickets/trickle HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
      const trickle = setInterval(() => client.socket.writable && client.socket.write('a'), 200);
      try {
        const closedAt = await client.closed;
        assert.ok(
          closedAt - started < limits.requestTimeoutMs + 1000,
          `closed after ${closedAt - started} ms`,
        );
        assert.ok(
          closedAt - started >= limits.requestTimeoutMs - 100,
          `closed after ${closedAt - started} ms`,
        );
        const { status, json } = client.answer();
        assert.equal(status, 408);
        assert.equal(json.code, 'REQUEST_TIMEOUT');
      } finally {
        clearInterval(trickle);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(aborted.includes('/api/tickets/trickle'), 'the upstream request is dropped too');
    },
  );

  test('answers 408 REQUEST_TIMEOUT when a body stalls for the idle timeout', { timeout: 5000 }, async () => {
    const client = rawClient(port);
    await client.connected;
    const started = Date.now();
    client.socket.write('POST /api/tickets/stall HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab');
    const closedAt = await client.closed;
    assert.ok(closedAt - started < limits.bodyIdleTimeoutMs + 400, `closed after ${closedAt - started} ms`);
    const { status, head, json } = client.answer();
    assert.equal(status, 408);
    assert.equal(json.code, 'REQUEST_TIMEOUT');
    assert.match(head, /x-frame-options: DENY/i);
  });

  test('answers 408 REQUEST_TIMEOUT to headers that do not arrive in time', { timeout: 5000 }, async () => {
    const client = rawClient(port);
    await client.connected;
    const started = Date.now();
    client.socket.write('GET /api/tickets HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => client.socket.writable && client.socket.write('X-A: b\r\n'), 100);
    try {
      const closedAt = await client.closed;
      assert.ok(closedAt - started < limits.headersTimeoutMs + 600, `closed after ${closedAt - started} ms`);
      assert.equal(client.answer().json?.code, 'REQUEST_TIMEOUT');
    } finally {
      clearInterval(trickle);
    }
  });

  test(
    'refuses a connection past the per-address limit with 503 while other addresses still get through',
    { timeout: 5000 },
    async () => {
      const held = [rawClient(port), rawClient(port)];
      await Promise.all(held.map((c) => c.connected));
      // Both are open and counted before the next one arrives.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const excess = rawClient(port);
      await excess.closed;
      const { status, head, json } = excess.answer();
      assert.equal(status, 503);
      assert.equal(json.code, 'TOO_MANY_CONNECTIONS');
      assert.match(head, /retry-after: 1/i);

      const other = rawClient(port, { localAddress: '127.0.0.2' });
      await other.connected;
      other.socket.write('GET /api/tickets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await other.closed;
      assert.equal(other.answer().status, 200);

      held[0].socket.destroy();
      await held[0].closed;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const again = rawClient(port);
      await again.connected;
      again.socket.write('GET /api/tickets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await again.closed;
      assert.equal(again.answer().status, 200, 'a freed slot can be used again');
      held[1].socket.destroy();
    },
  );
});
