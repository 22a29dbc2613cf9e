/**
 * The local API gateway on http-proxy-3, the stand-in for the Istio VirtualService: it routes by
 * infra/routes.json (its semantics are written there). What it forwards, its limits and its
 * environment: scripts/README.md.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createProxyServer } from 'http-proxy-3';
import { z } from 'zod';
import { RAW_ANSWER_HEADERS, createHttpServer } from '@glotixz/common/express';
import * as common from '@glotixz/common/tracing';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { pino } from 'pino';

export const ROUTES_FILE = fileURLToPath(new URL('../infra/routes.json', import.meta.url));

const PORT = 'must be an integer port';
const port = z.int(PORT).min(1, PORT).max(65535, PORT);
const prefix = z.string().regex(/^\/(.*[^/])?$/, 'must start with / and not end with /');
const target = { service: z.string('is required').min(1, 'is required'), port };
const ROUTES_TABLE = z.object({
  routes: z.array(z.object({ prefix, ...target }), 'must be an array'),
  default: z.object(target, 'must be a route'),
  notFoundPrefixes: z.array(prefix, 'must be a list of prefixes').optional(),
});

/** Checks a routes table and throws one error listing every problem ("routes[0]: prefix must …"). */
export function validateRoutes(table) {
  const { error } = ROUTES_TABLE.safeParse(table);
  if (!error) return table;
  const where = (path) => path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i ? `: ${key}` : key));
  const problems = error.issues.map(({ path, message }) => `${where(path).join('')} ${message}`);
  throw new Error(`invalid routes table:\n  - ${problems.join('\n  - ')}`);
}

/** Reads and validates infra/routes.json (or another file of the same shape). */
export const loadRoutes = (file = ROUTES_FILE) => validateRoutes(JSON.parse(readFileSync(file, 'utf8')));

/** True if `pathname` is `prefix` itself or lies below it. */
export const underPrefix = (pathname, prefix) =>
  pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);

/** `{ kind: 'route', route }` (first match), `{ kind: 'not-found' }` or `{ kind: 'default', route }`. */
export function matchRoute(table, pathname) {
  const route = table.routes.find((r) => underPrefix(pathname, r.prefix));
  if (route) return { kind: 'route', route };
  if ((table.notFoundPrefixes ?? []).some((p) => underPrefix(pathname, p))) return { kind: 'not-found' };
  return { kind: 'default', route: table.default };
}

/** Normalises a request target to an origin-form path with query, or null if it is unusable. */
export function normalizeTarget(rawUrl) {
  try {
    const url = new URL(rawUrl ?? '/', 'http://gateway.invalid');
    return { pathname: url.pathname, path: url.pathname + url.search };
  } catch {
    return null;
  }
}

const HOP_BY_HOP = `connection expect keep-alive proxy-authenticate proxy-authorization proxy-connection te
  trailer transfer-encoding upgrade`.split(/\s+/);

/** Deletes the hop-by-hop headers in place: the fixed list and any the Connection header names. */
function dropHopByHop(headers) {
  const named = headers.connection ? `${headers.connection}`.toLowerCase().split(/\s*,\s*/) : [];
  for (const name of [...HOP_BY_HOP, ...named]) delete headers[name];
  return headers;
}

const clientAddress = (socket) => (socket.remoteAddress ?? '').replace(/^::ffff:/, '');

/** A request's id (its own x-request-id if sensible), its normalised target and its route. */
function arrive(req, routes) {
  const given = req.headers['x-request-id'];
  const requestId =
    typeof given === 'string' && given.length > 0 && given.length <= 200 ? given : randomUUID();
  const target = normalizeTarget(req.url);
  return { requestId, target, match: target ? matchRoute(routes, target.pathname) : undefined };
}

/** Rewrites `req` into what the upstream gets (http-proxy-3 sends `req.url` and `req.headers`). */
function forwardAs(req, path, requestId, extra = {}) {
  const headers = dropHopByHop(req.headers);
  headers['x-forwarded-for'] = clientAddress(req.socket);
  headers['x-forwarded-proto'] = req.socket.encrypted ? 'https' : 'http';
  if (headers.host) headers['x-forwarded-host'] = headers.host;
  headers['x-request-id'] = requestId;
  if (extra.traceparent && !extra.tracestate) delete headers.tracestate;
  Object.assign(headers, extra);
  req.url = path;
}

/** True if a request announces a body (RFC 9112 §6.3: only Content-Length or Transfer-Encoding do). */
const hasBody = (req) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/** Headers on the gateway's own answers: those the services send. */
export const OWN_ANSWER_HEADERS = RAW_ANSWER_HEADERS;

const answer = (status, code, message) => ({ status, body: JSON.stringify({ code, message }) });
const answerHeaders = (body) => ({
  ...OWN_ANSWER_HEADERS,
  'content-type': 'application/json; charset=utf-8',
  'content-length': Buffer.byteLength(body),
});
function unavailable(service, err) {
  const why = err?.code === 'ECONNREFUSED' ? 'connection refused' : (err?.code ?? err?.message ?? 'error');
  return answer(502, 'BAD_GATEWAY', `${service} is unavailable (${why})`);
}

/** Answers on a bare socket (refused, malformed, upgrades) and closes it. */
function answerRaw(socket, { status, body }, extraHeaders = {}) {
  if (socket.destroyed) return;
  const headers = { ...answerHeaders(body), connection: 'close', ...extraHeaders };
  const head = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}`];
  for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
  if (socket.writable) socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  // Ending only half-closes: a client that keeps sending (or never reads) is cut off shortly.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** The limits' defaults; GATEWAY_HEADERS_TIMEOUT_MS and so on set them (scripts/README.md). */
export const GATEWAY_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  bodyIdleTimeoutMs: 10_000,
  maxConnectionsPerAddress: 256,
};

/** Reads the limits from `env` (unset or empty: the default); throws one error naming every bad value. */
export function gatewayLimits(env) {
  const limits = { ...GATEWAY_LIMITS };
  const problems = [];
  for (const key of Object.keys(limits)) {
    const name = `GATEWAY_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const text = env[name]?.trim();
    if (text && Number.isInteger(Number(text)) && Number(text) > 0) limits[key] = Number(text);
    else if (text) problems.push(`${name} must be a positive integer (got ${JSON.stringify(env[name])})`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    problems.push('GATEWAY_HEADERS_TIMEOUT_MS must not exceed GATEWAY_REQUEST_TIMEOUT_MS');
  if (problems.length > 0) throw new Error(problems.join('; '));
  return limits;
}

/**
 * Builds the gateway server (not yet listening); `stop()` closes it with every connection. Options:
 * `routes`, `resolve(route)` → { host, port }, `onUpstreamError(route, target, err)` when an
 * upstream could not be reached, `log(entry)` per request (method, path, service, status,
 * durationMs, requestId, traceId), `tracing` (startGatewayTracing's), `limits`.
 */
export function createGateway({
  routes,
  resolve = (r) => ({ host: '127.0.0.1', port: r.port }),
  onUpstreamError,
  log,
  tracing,
  limits = GATEWAY_LIMITS,
} = {}) {
  validateRoutes(routes);
  const proxy = createProxyServer({ selfHandleResponse: true });
  proxy.on('proxyRes', (upstreamRes, _req, res) => {
    if (res.headersSent) return upstreamRes.resume();
    // A copy: the agent reads the upstream's Keep-Alive hint once the answer is done.
    res.writeHead(upstreamRes.statusCode, dropHopByHop({ ...upstreamRes.headers }));
    // pipe() rather than pipeline(): the latter's abort signal costs an error object per request.
    // An answer cut short upstream is cut short here; a client gone destroys the upstream request.
    upstreamRes.once('error', () => res.destroy());
    upstreamRes.pipe(res);
  });
  proxy.on('error', (_err, _req, resOrSocket) => resOrSocket?.destroy());
  // An upstream closes a connection idle for its keep-alive timeout (5 s for Node), and reusing one
  // it is closing is a 502. The agent drops an idle socket a second before the upstream's
  // `Keep-Alive: timeout=N` hint, but only when it has a timeout of its own.
  const agent = new http.Agent({ keepAlive: true, timeout: 60_000 });

  /** Sockets refused for holding too many connections: whatever they send goes unanswered. */
  const refused = new WeakSet();
  // Common's server of the services: late headers or body are answered 408, a malformed request 400.
  const server = createHttpServer(
    (req, res) => {
      if (refused.has(req.socket)) return;
      const started = Date.now();
      const { requestId, target, match } = arrive(req, routes);
      const service = match?.route?.service ?? null;
      const name = match?.route ? `${req.method} ${match.route.prefix ?? '/'}` : req.method;
      const traced = tracing?.startRequest(req, name, {
        'http.request.method': req.method,
        'url.path': target?.pathname ?? '',
        ...(service ? { 'glotixz.upstream': service } : {}),
      });
      // Set first, so the upstream's own values win.
      res.setHeader('x-request-id', requestId);
      if (traced) res.setHeader('traceresponse', traced.traceresponse);
      let idle;
      res.once('close', () => {
        clearTimeout(idle);
        traced?.end(res.statusCode, res.writableFinished);
        log?.({
          method: req.method,
          path: target?.path ?? req.url,
          service,
          status: res.statusCode,
          durationMs: Date.now() - started,
          requestId,
          traceId: traced?.traceId,
        });
      });
      const reply = ({ status, body }, headers = {}) => {
        if (!res.headersSent && !res.destroyed)
          res.writeHead(status, { ...answerHeaders(body), ...headers }).end(body);
      };
      if (!target) return reply(answer(400, 'BAD_REQUEST', 'malformed request target'));
      if (!service) return reply(answer(404, 'NOT_FOUND', `no API route for ${target.pathname}`));
      // A stalled body holds the upstream's request open: past the idle limit the client is answered
      // and its connection closed, which aborts the upstream request.
      if (hasBody(req)) {
        idle = setTimeout(() => {
          reply(answer(408, 'REQUEST_TIMEOUT', 'the request body stalled'), { connection: 'close' });
          res.once('finish', () => req.socket.destroy());
        }, limits.bodyIdleTimeoutMs);
        req.on('data', () => idle.refresh());
        req.once('end', () => clearTimeout(idle));
      }
      forwardAs(req, target.path, requestId, traced?.headers);
      const upstream = resolve(match.route);
      proxy.web(req, res, { target: upstream, agent }, (err) => {
        onUpstreamError?.(match.route, upstream, err);
        return res.headersSent ? res.destroy() : reply(unavailable(service, err));
      });
    },
    {
      PORT: 0,
      HTTP_HEADERS_TIMEOUT_MS: limits.headersTimeoutMs,
      HTTP_REQUEST_TIMEOUT_MS: limits.requestTimeoutMs,
    },
  );

  const perAddress = new Map();
  // Before the HTTP machinery sees the connection, so a refused one is never parsed as a request.
  server.prependListener('connection', (socket) => {
    const address = clientAddress(socket);
    const open = perAddress.get(address) ?? 0;
    if (open >= limits.maxConnectionsPerAddress) {
      refused.add(socket);
      socket.on('error', () => socket.destroy());
      const tooMany = answer(503, 'TOO_MANY_CONNECTIONS', 'this address holds too many open connections');
      return answerRaw(socket, tooMany, { 'retry-after': '1' });
    }
    perAddress.set(address, open + 1);
    socket.once('close', () => {
      if (perAddress.get(address) > 1) perAddress.set(address, perAddress.get(address) - 1);
      else perAddress.delete(address);
    });
  });

  const upgraded = new Set();
  server.on('upgrade', (req, socket, head) => {
    if (refused.has(socket)) return;
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    const { requestId, target, match } = arrive(req, routes);
    const route = match?.route;
    if (!route) return answerRaw(socket, answer(404, 'NOT_FOUND', 'no route for this upgrade'));
    forwardAs(req, target.path, requestId, { connection: 'upgrade', upgrade: req.headers.upgrade });
    const upstream = resolve(route);
    proxy.ws(req, socket, head, { target: upstream, agent: false }, (err) => {
      onUpstreamError?.(route, upstream, err);
      answerRaw(socket, unavailable(route.service, err), { 'x-request-id': requestId });
    });
  });

  server.on('close', () => agent.destroy());
  server.stop = () =>
    new Promise((done) => {
      server.close(() => done());
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
    });
  return server;
}

/**
 * Starts @glotixz/common's tracing as service `gateway` (OTLP/HTTP to `endpoint` if given; else
 * spans carry ids and record nothing). `startRequest` opens a request's SERVER span, continuing the
 * caller's trace: trace `headers` for the upstream, `traceresponse` for the caller, `end(status, completed)`.
 */
export async function startGatewayTracing({ endpoint } = {}) {
  // Only the exporter's trouble is logged (common's diagnostics at warn).
  const logger = pino({ base: { service: 'gateway' }, level: 'warn' });
  return {
    ...common.startTracing({ service: 'gateway', endpoint, logger }),
    startRequest(req, name, attributes) {
      const parent = common.contextFromHeaders(req.headers, ROOT_CONTEXT);
      const span = common.tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
      return {
        traceId: span.spanContext().traceId,
        headers: common.traceHeaders(trace.setSpan(parent, span)),
        traceresponse: common.formatTraceparent(span.spanContext()),
        end(status, completed) {
          span.setAttribute('http.response.status_code', status);
          if (status >= 500 || !completed) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
  };
}

/**
 * Reads GATEWAY_UPSTREAMS, a JSON object of service → port, or → a list of ports for a service
 * with replicas (unset or blank: `{}`); throws naming the problem.
 */
export function parseUpstreams(text) {
  if (!text?.trim()) return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('GATEWAY_UPSTREAMS must be JSON, e.g. {"auth":3001,"orders":[3003,3103]}');
  }
  const ports = z.union([port, z.array(port).min(1, PORT)], PORT);
  const issue = z.record(z.string(), ports).safeParse(value).error?.issues[0];
  if (issue?.path.length) throw new Error(`GATEWAY_UPSTREAMS: the port of ${issue.path[0]} ${issue.message}`);
  if (issue) throw new Error('GATEWAY_UPSTREAMS must be a JSON object of service → port or ports');
  return value;
}

/** How long a replica that refused or dropped a connection is left out of the rotation. */
export const EJECT_MS = 2_000;

/** The errors that say a replica is gone (stopped, killed, restarting), not that one request failed. */
const LOST_UPSTREAM = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/**
 * Round-robin over each service's replicas on `host` (`upstreams`: service → port or ports, as
 * {@link parseUpstreams} reads them; a route's own port when the service is not listed), as
 * createGateway's `resolve` and `onUpstreamError`: a replica that refused or reset a connection is
 * left out for {@link EJECT_MS}, unless every replica is.
 */
export function createBalancer(upstreams, { host = '127.0.0.1', now = Date.now } = {}) {
  const next = new Map();
  const ejectedUntil = new Map();
  const portsOf = (route) => [upstreams[route.service] ?? route.port].flat();
  const pick = (route) => {
    const ports = portsOf(route);
    const start = next.get(route.service) ?? 0;
    const turns = ports.map((_, i) => (start + i) % ports.length);
    const chosen = turns.find((i) => (ejectedUntil.get(ports[i]) ?? 0) <= now()) ?? turns[0];
    next.set(route.service, (chosen + 1) % ports.length);
    return ports[chosen];
  };
  return {
    resolve: (route) => ({ host, port: pick(route) }),
    onUpstreamError(route, target, err) {
      if (LOST_UPSTREAM.has(err?.code) && portsOf(route).length > 1) {
        ejectedUntil.set(target.port, now() + EJECT_MS);
      }
    },
  };
}

async function main() {
  const { GATEWAY_PORT = 8080, GATEWAY_HOST } = process.env;
  const upstreams = parseUpstreams(process.env.GATEWAY_UPSTREAMS);
  const limits = gatewayLimits(process.env);
  const tracing = await startGatewayTracing({
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  });
  // The access log is written in batches (at most every 100 ms): a write per request is a
  // syscall per request, the gateway's largest cost after the proxying itself.
  const access = pino.destination({ dest: 1, sync: false, minLength: 8_192, periodicFlush: 100 });
  const server = createGateway({
    routes: loadRoutes(),
    ...createBalancer(upstreams),
    log: ({ method, path, service, status, durationMs }) =>
      access.write(`${method} ${path} → ${service ?? '-'} ${status} ${durationMs} ms\n`),
    tracing,
    limits,
  });
  server.listen(Number(GATEWAY_PORT), GATEWAY_HOST || '127.0.0.1', () => {
    console.log(`gateway listening on http://localhost:${GATEWAY_PORT} (routes from ${ROUTES_FILE})`);
  });
  const shutdown = () =>
    server
      .stop()
      .then(tracing.shutdown)
      .finally(() => {
        access.flushSync();
        process.exit(0);
      });
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
