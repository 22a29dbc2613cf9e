/**
 * The gateway's tracing: a request without traceparent starts a trace whose context the upstream
 * receives; a request with one continues it; the caller gets the trace in `traceresponse`; spans
 * are exported over OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_ENDPOINT.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createGateway, startGatewayTracing } from '../gateway.mjs';

const TABLE = {
  routes: [{ prefix: '/api/users', service: 'auth', port: 1 }],
  notFoundPrefixes: ['/api'],
  default: { service: 'client', port: 2 },
};

async function listen(server) {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
}

function get(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      })
      .on('error', reject);
  });
}

describe('gateway tracing', () => {
  const exported = [];
  let collector;
  let upstream;
  let gateway;
  let tracing;
  let port;

  before(async () => {
    collector = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        exported.push({
          path: req.url,
          type: req.headers['content-type'],
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const collectorPort = await listen(collector);
    upstream = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ traceparent: req.headers.traceparent ?? null }));
    });
    const upstreamPort = await listen(upstream);
    tracing = await startGatewayTracing({ endpoint: `http://127.0.0.1:${collectorPort}` });
    gateway = createGateway({
      routes: TABLE,
      resolve: () => ({ host: '127.0.0.1', port: upstreamPort }),
      tracing,
    });
    port = await listen(gateway);
  });

  after(async () => {
    await gateway.stop();
    await tracing.shutdown();
    upstream.close();
    collector.close();
  });

  test('starts a trace for a request without traceparent and forwards its context upstream', async () => {
    const res = await get(port, '/api/users/currentuser');
    const seen = JSON.parse(res.body).traceparent;
    assert.match(seen, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(res.headers.traceresponse, seen);
  });

  test('continues a caller’s trace as the parent of the upstream request', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await get(port, '/api/users/signin', { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const [, seenTrace, seenParent] = JSON.parse(res.body).traceparent.split('-');
    assert.equal(seenTrace, traceId);
    assert.notEqual(seenParent, '00f067aa0ba902b7');
  });

  test('answers its own 404 with traceresponse and exports its spans as OTLP JSON', async () => {
    const res = await get(port, '/api/nope');
    assert.equal(res.status, 404);
    const traceId = res.headers.traceresponse.split('-')[1];
    await tracing.shutdown();
    const posted = exported.find((e) => e.body.includes(traceId));
    assert.ok(posted, 'the span of the 404 was exported');
    assert.equal(posted.path, '/v1/traces');
    assert.equal(posted.type, 'application/json');
    assert.match(posted.body, /"key":"service\.name","value":\{"stringValue":"gateway"\}/);
    assert.match(posted.body, /"name":"GET \/api\/users"/);
  });
});

describe('gateway tracing without an exporter', () => {
  let upstream;
  let gateway;
  let tracing;
  let port;

  before(async () => {
    upstream = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          traceparent: req.headers.traceparent ?? null,
          tracestate: req.headers.tracestate ?? null,
        }),
      );
    });
    const upstreamPort = await listen(upstream);
    tracing = await startGatewayTracing();
    gateway = createGateway({
      routes: TABLE,
      resolve: () => ({ host: '127.0.0.1', port: upstreamPort }),
      tracing,
    });
    port = await listen(gateway);
  });

  after(async () => {
    await gateway.stop();
    await tracing.shutdown();
    upstream.close();
  });

  test('still starts sampled traces and hands their ids upstream and back', async () => {
    const [first, second] = await Promise.all([get(port, '/api/users/a'), get(port, '/api/users/b')]);
    for (const res of [first, second]) {
      const seen = JSON.parse(res.body).traceparent;
      assert.match(seen, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      assert.equal(res.headers.traceresponse, seen);
    }
    assert.notEqual(first.headers.traceresponse.split('-')[1], second.headers.traceresponse.split('-')[1]);
  });

  test('continues a caller’s trace with its flags and tracestate, under a span id of its own', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await get(port, '/api/users/signin', {
      traceparent: `00-${traceId}-00f067aa0ba902b7-00`,
      tracestate: 'vendor=x',
    });
    const body = JSON.parse(res.body);
    const [, seenTrace, seenParent, seenFlags] = body.traceparent.split('-');
    assert.equal(seenTrace, traceId);
    assert.match(seenParent, /^[0-9a-f]{16}$/);
    assert.notEqual(seenParent, '00f067aa0ba902b7');
    assert.equal(seenFlags, '00');
    assert.equal(body.tracestate, 'vendor=x');
    assert.equal(res.headers.traceresponse, body.traceparent);
  });
});
