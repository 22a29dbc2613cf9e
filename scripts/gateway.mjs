/**
 * The local API gateway: routes by path prefix exactly as the Istio VirtualService does, from
 * the same table, infra/routes.json. A prefix matches the path itself and anything below it
 * (/api/users and /api/users/signin, never /api/usersx); routes are tried in file order; an
 * unmatched path under a `notFoundPrefixes` entry (/api) answers 404 JSON; anything else goes to
 * the default route (the web client). Paths are normalised (dot segments resolved) before
 * matching and forwarded in that form.
 *
 * Proxying streams bodies both ways, keeps method and end-to-end headers (Host included), sets
 * X-Forwarded-For/-Proto/-Host, adds x-request-id when absent, passes WebSocket upgrades
 * through, and answers 502 JSON { code: 'BAD_GATEWAY', message } when the upstream is down.
 *
 * Limits (`gatewayLimits(env)`, defaults in GATEWAY_LIMITS): a request must bring its headers
 * within GATEWAY_HEADERS_TIMEOUT_MS and all of its body within GATEWAY_REQUEST_TIMEOUT_MS, and its
 * body may not stall for GATEWAY_BODY_IDLE_TIMEOUT_MS; past any of them it is answered
 * 408 { code: 'REQUEST_TIMEOUT' } (when no answer has started yet) and its connection closed. One
 * client address may hold GATEWAY_MAX_CONNECTIONS_PER_ADDRESS connections at once; the next is
 * answered 503 { code: 'TOO_MANY_CONNECTIONS' } and closed.
 *
 * `createGateway({ routes, resolve })` builds the server for tests and the stack runner (its
 * `stop()` closes it with every connection, WebSockets included); run directly (`node scripts/gateway.mjs`) it listens on GATEWAY_PORT (8080).
 * Run directly it also reads GATEWAY_HOST (listen address, default 127.0.0.1), GATEWAY_UPSTREAM_HOST (default
 * 127.0.0.1) and GATEWAY_UPSTREAMS, a JSON object of service → port (`{"auth":41231,"client":41239}`)
 * overriding the table's ports, so the system tests can put it in front of services on random ports.
 *
 * Tracing (`startGatewayTracing`, on when run directly): each proxied request gets a SERVER span
 * that continues the caller's `traceparent` or starts a new trace, and its `traceparent` is what
 * the upstream receives, so one browser request is one trace through every service. The caller
 * gets it back in `traceresponse`. With OTEL_EXPORTER_OTLP_ENDPOINT set, spans are exported over
 * OTLP/HTTP. OpenTelemetry is loaded lazily: the stack runner imports this file before `npm install`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROUTES_FILE = fileURLToPath(new URL('../infra/routes.json', import.meta.url));

const HOP_BY_HOP = new Set([
  'connection',
  'expect',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Checks a routes table and throws one error listing every problem. */
export function validateRoutes(table) {
  const problems = [];
  const isPort = (p) => Number.isInteger(p) && p > 0 && p < 65536;
  const isPrefix = (p) => typeof p === 'string' && p.startsWith('/') && (p === '/' || !p.endsWith('/'));
  const checkTarget = (target, where) => {
    if (typeof target?.service !== 'string' || target.service === '')
      problems.push(`${where}: service is required`);
    if (!isPort(target?.port)) problems.push(`${where}: port must be an integer port`);
  };
  if (!Array.isArray(table?.routes)) problems.push('routes must be an array');
  (table?.routes ?? []).forEach((route, i) => {
    if (!isPrefix(route?.prefix)) problems.push(`routes[${i}]: prefix must start with / and not end with /`);
    checkTarget(route, `routes[${i}]`);
  });
  checkTarget(table?.default, 'default');
  if (table?.notFoundPrefixes !== undefined && !table.notFoundPrefixes.every?.(isPrefix)) {
    problems.push('notFoundPrefixes must be a list of prefixes');
  }
  if (problems.length > 0) throw new Error(`invalid routes table:\n  - ${problems.join('\n  - ')}`);
  return table;
}

/** Reads and validates infra/routes.json (or another file of the same shape). */
export function loadRoutes(file = ROUTES_FILE) {
  return validateRoutes(JSON.parse(readFileSync(file, 'utf8')));
}

/** True if `pathname` is `prefix` itself or lies below it. */
export function underPrefix(pathname, prefix) {
  return pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

/**
 * Which way a path goes: `{ kind: 'route', route }` for the first matching route,
 * `{ kind: 'not-found' }` under a notFoundPrefixes entry, else `{ kind: 'default', route }`.
 */
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

/** Longest an idle upstream connection is kept; shorter when the upstream announces less. */
const UPSTREAM_IDLE_TIMEOUT_MS = 60_000;

const defaultResolve = (route) => ({ host: '127.0.0.1', port: route.port });

function clientAddress(socket) {
  return (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function requestIdOf(req) {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && given.length > 0 && given.length <= 200 ? given : randomUUID();
}

const TRACE_HEADERS = ['traceparent', 'tracestate'];

/** The hop-by-hop headers of a message: the fixed ones and any its Connection header names. */
function hopByHop(connection) {
  if (connection === undefined) return HOP_BY_HOP;
  const named = String(connection)
    .split(',')
    .map((token) => token.trim().toLowerCase());
  // Usually just `keep-alive` or `close`: nothing beyond the fixed set.
  if (named.every((name) => HOP_BY_HOP.has(name) || name === 'close')) return HOP_BY_HOP;
  return new Set([...HOP_BY_HOP, ...named]);
}

function upstreamHeaders(req, requestId, { upgrade = false, trace } = {}) {
  const dropped = hopByHop(req.headers.connection);
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!dropped.has(name) && value !== undefined) headers[name] = value;
  }
  if (upgrade) {
    headers.connection = 'upgrade';
    headers.upgrade = req.headers.upgrade;
  }
  const client = clientAddress(req.socket);
  // The gateway is the edge: whatever X-Forwarded-For a client sends is its own claim, so the
  // services (which trust the gateway's hop) only ever see the address the gateway saw.
  headers['x-forwarded-for'] = client;
  headers['x-forwarded-proto'] = req.socket.encrypted ? 'https' : 'http';
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  headers['x-request-id'] = requestId;
  if (trace) {
    for (const name of TRACE_HEADERS) delete headers[name];
    Object.assign(headers, trace);
  }
  return headers;
}

function downstreamHeaders(upstreamRes, requestId, traceresponse) {
  const dropped = hopByHop(upstreamRes.headers.connection);
  const headers = {};
  for (const [name, value] of Object.entries(upstreamRes.headers)) {
    if (!dropped.has(name) && value !== undefined) headers[name] = value;
  }
  headers['x-request-id'] ??= requestId;
  if (traceresponse) headers.traceresponse ??= traceresponse;
  return headers;
}

function errorBody(status, code, message) {
  return { status, body: JSON.stringify({ code, message }) };
}

/**
 * Headers on the answers the gateway writes itself (404, 400, 408, 502, 503): the same
 * protections the services send with theirs, so no answer from this origin goes out without them.
 */
export const OWN_ANSWER_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // The list common's API answers send (common/src/express/security-headers.ts).
  'permissions-policy':
    'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), payment=(), serial=(), usb=()',
  'cache-control': 'no-store',
};

function sendJson(res, { status, body }, requestId, traceresponse, extraHeaders = {}) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    ...OWN_ANSWER_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    ...(traceresponse ? { traceresponse } : {}),
    ...extraHeaders,
  });
  res.end(body);
}

/** How long a socket answered and ended by the gateway may linger before it is destroyed. */
const LINGER_MS = 1000;

function writeRawResponse(socket, { status, body }, extraHeaders = {}) {
  if (socket.destroyed) return;
  const head = [
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries({ ...OWN_ANSWER_HEADERS, ...extraHeaders }).map(([k, v]) => `${k}: ${v}`),
  ];
  if (socket.writable) socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  // Ending only half-closes: a client that keeps sending (or never reads) is cut off shortly.
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** The gateway's limits, each set by the GATEWAY_* variable named beside it. */
export const GATEWAY_LIMITS = {
  /** GATEWAY_HEADERS_TIMEOUT_MS: time from a request's first byte to the end of its headers. */
  headersTimeoutMs: 10_000,
  /** GATEWAY_REQUEST_TIMEOUT_MS: time from a request's first byte to the end of its body. */
  requestTimeoutMs: 30_000,
  /** GATEWAY_BODY_IDLE_TIMEOUT_MS: longest pause while a request body is arriving. */
  bodyIdleTimeoutMs: 10_000,
  /** GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: open connections one client address may hold. */
  maxConnectionsPerAddress: 256,
};

const LIMIT_VARIABLES = {
  headersTimeoutMs: 'GATEWAY_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'GATEWAY_REQUEST_TIMEOUT_MS',
  bodyIdleTimeoutMs: 'GATEWAY_BODY_IDLE_TIMEOUT_MS',
  maxConnectionsPerAddress: 'GATEWAY_MAX_CONNECTIONS_PER_ADDRESS',
};

/**
 * Reads the gateway's limits from the environment (unset or empty: the default); throws one error
 * naming every bad value.
 * @param {Record<string, string | undefined>} env
 * @returns {typeof GATEWAY_LIMITS}
 */
export function gatewayLimits(env) {
  const limits = { ...GATEWAY_LIMITS };
  const problems = [];
  for (const [key, name] of Object.entries(LIMIT_VARIABLES)) {
    const text = env[name]?.trim();
    if (!text) continue;
    const value = Number(text);
    if (Number.isInteger(value) && value > 0) limits[key] = value;
    else problems.push(`${name} must be a positive integer (got ${JSON.stringify(env[name])})`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    problems.push('GATEWAY_HEADERS_TIMEOUT_MS must not exceed GATEWAY_REQUEST_TIMEOUT_MS');
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return limits;
}

/** The answer to a request the client failed to send in time or in shape (a 'clientError'). */
function clientErrorBody(err) {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return errorBody(408, 'REQUEST_TIMEOUT', 'the request did not arrive in time');
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return errorBody(431, 'HEADERS_TOO_LARGE', 'the request headers are too large');
  }
  return errorBody(400, 'BAD_REQUEST', 'malformed request');
}

function describe(err) {
  return err?.code === 'ECONNREFUSED' ? 'connection refused' : (err?.code ?? err?.message ?? 'error');
}

/** The span name of a request: the route prefix it matched, like a service's route pattern. */
function spanName(method, match) {
  if (match?.kind === 'route') return `${method} ${match.route.prefix}`;
  if (match?.kind === 'default') return `${method} /`;
  return method;
}

/**
 * Builds the gateway server (not yet listening). With `tracing` (see `startGatewayTracing`) every
 * proxied request gets a span whose trace context the upstream receives.
 * @param {{ routes: object, resolve?: (route: { service: string, port: number }) => { host: string,
 *   port: number }, log?: (entry: { method: string, path: string, service: string | null,
 *   status: number, durationMs: number, requestId: string, traceId?: string }) => void,
 *   tracing?: GatewayTracing, limits?: typeof GATEWAY_LIMITS }} options
 * @returns {import('node:http').Server & { stop: () => Promise<void> }}
 */
export function createGateway({
  routes,
  resolve = defaultResolve,
  log,
  tracing,
  limits = GATEWAY_LIMITS,
} = {}) {
  validateRoutes(routes);
  // Upstream connections are reused, and an upstream closes one it found idle for its keep-alive
  // timeout (5 s for Node). Reusing a socket the upstream is closing fails with ECONNRESET, a 502
  // for the caller. Node's agent drops an idle socket a second before the upstream's
  // `Keep-Alive: timeout=N` hint, but only when the agent has a timeout of its own.
  const agent = new http.Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_TIMEOUT_MS });

  /** Answers in flight per socket, so a timed-out request is answered only if none has started. */
  const answers = new WeakMap();
  /** Sockets refused for holding too many connections: whatever they send goes unanswered. */
  const refused = new WeakSet();
  const server = http.createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      // How often the timeouts above are checked (Node's default is every 30 s).
      connectionsCheckingInterval: Math.min(1000, Math.ceil(limits.headersTimeoutMs / 4)),
    },
    (req, res) => {
      if (refused.has(req.socket)) return;
      answers.set(req.socket, res);
      const started = Date.now();
      const requestId = requestIdOf(req);
      const target = normalizeTarget(req.url);
      const match = target ? matchRoute(routes, target.pathname) : undefined;
      const traced = tracing?.startRequest(req, spanName(req.method, match), {
        'http.request.method': req.method,
        'url.path': target?.pathname ?? '',
        ...(match?.route ? { 'glotixz.upstream': match.route.service } : {}),
      });
      let service = null;
      res.on('close', () => {
        traced?.end(res.statusCode, res.writableFinished);
        log?.({
          method: req.method,
          path: target?.path ?? req.url,
          service,
          status: res.statusCode,
          durationMs: Date.now() - started,
          requestId,
          ...(traced ? { traceId: traced.traceId } : {}),
        });
      });
      const reply = (error, headers) => sendJson(res, error, requestId, traced?.traceresponse, headers);
      if (!target) return reply(errorBody(400, 'BAD_REQUEST', 'malformed request target'));
      if (match.kind === 'not-found') {
        return reply(errorBody(404, 'NOT_FOUND', `no API route for ${target.pathname}`));
      }
      service = match.route.service;
      const { host, port } = resolve(match.route);

      const upstream = http.request({
        host,
        port,
        method: req.method,
        path: target.path,
        headers: upstreamHeaders(req, requestId, { trace: traced?.headers }),
        agent,
      });
      upstream.on('response', (upstreamRes) => {
        res.writeHead(
          upstreamRes.statusCode ?? 502,
          downstreamHeaders(upstreamRes, requestId, traced?.traceresponse),
        );
        pipeline(upstreamRes, res, () => {});
      });
      upstream.on('error', (err) => {
        if (res.headersSent) res.destroy();
        else reply(errorBody(502, 'BAD_GATEWAY', `${service} is unavailable (${describe(err)})`));
      });
      res.on('close', () => {
        clearTimeout(idle);
        if (!res.writableFinished) upstream.destroy();
      });
      // A body that stalls holds the upstream's request open; past the idle limit, both are dropped.
      const idleOut = () => {
        upstream.destroy();
        reply(errorBody(408, 'REQUEST_TIMEOUT', 'the request body stalled'), { connection: 'close' });
        res.once('finish', () => req.socket.destroy());
      };
      let idle = setTimeout(idleOut, limits.bodyIdleTimeoutMs);
      req.on('data', () => idle.refresh());
      req.on('end', () => clearTimeout(idle));
      pipeline(req, upstream, () => {});
    },
  );

  server.on('clientError', (err, socket) => {
    const answer = answers.get(socket);
    if (err.code !== 'ECONNRESET' && !answer?.headersSent) writeRawResponse(socket, clientErrorBody(err));
    else socket.destroy();
  });

  const perAddress = new Map();
  // Before the HTTP machinery sees the connection, so a refused one is never parsed as a request.
  server.prependListener('connection', (socket) => {
    const address = clientAddress(socket);
    const open = perAddress.get(address) ?? 0;
    if (open >= limits.maxConnectionsPerAddress) {
      refused.add(socket);
      socket.on('error', () => socket.destroy());
      writeRawResponse(
        socket,
        errorBody(503, 'TOO_MANY_CONNECTIONS', 'this address holds too many open connections'),
        { 'retry-after': '1' },
      );
      return;
    }
    perAddress.set(address, open + 1);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });

  const upgraded = new Set();
  server.on('upgrade', (req, socket, head) => {
    if (refused.has(socket)) return;
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    const requestId = requestIdOf(req);
    const target = normalizeTarget(req.url);
    const match = target ? matchRoute(routes, target.pathname) : { kind: 'not-found' };
    if (match.kind === 'not-found') {
      return writeRawResponse(socket, errorBody(404, 'NOT_FOUND', 'no route for this upgrade'));
    }
    const { host, port } = resolve(match.route);
    const upstream = http.request({
      host,
      port,
      method: req.method,
      path: target.path,
      headers: upstreamHeaders(req, requestId, { upgrade: true }),
      agent: false,
    });
    socket.on('close', () => upstream.destroy());
    upstream.on('upgrade', (upstreamRes, upstreamSocket, upstreamHead) => {
      upstreamSocket.on('error', () => socket.destroy());
      socket.on('close', () => upstreamSocket.destroy());
      upstreamSocket.on('close', () => socket.destroy());
      const lines = [`HTTP/1.1 ${upstreamRes.statusCode} ${upstreamRes.statusMessage ?? ''}`];
      for (let i = 0; i < upstreamRes.rawHeaders.length; i += 2) {
        lines.push(`${upstreamRes.rawHeaders[i]}: ${upstreamRes.rawHeaders[i + 1]}`);
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.pipe(socket);
      socket.pipe(upstreamSocket);
    });
    upstream.on('response', (upstreamRes) => {
      const chunks = [];
      upstreamRes.on('data', (chunk) => chunks.push(chunk));
      upstreamRes.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = downstreamHeaders(upstreamRes, requestId);
        delete headers['content-length'];
        const lines = [`HTTP/1.1 ${upstreamRes.statusCode} ${upstreamRes.statusMessage ?? ''}`];
        for (const [name, value] of Object.entries(headers)) {
          for (const v of [value].flat()) lines.push(`${name}: ${v}`);
        }
        lines.push(`content-length: ${body.length}`, 'connection: close');
        socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]));
      });
    });
    upstream.on('error', (err) => {
      writeRawResponse(
        socket,
        errorBody(502, 'BAD_GATEWAY', `${match.route.service} is unavailable (${describe(err)})`),
        { 'x-request-id': requestId },
      );
    });
    upstream.end();
  });

  server.on('close', () => agent.destroy());
  /** Stops listening and closes every connection, upgraded ones included. */
  server.stop = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
    });
  return server;
}

/**
 * @typedef {object} TracedRequest
 * @property {string} traceId
 * @property {Record<string, string>} headers the trace headers the upstream gets (`traceparent`, `tracestate`)
 * @property {string} traceresponse the `traceresponse` header for the caller
 * @property {(status: number, completed: boolean) => void} end ends the span with the response status
 */

/**
 * @typedef {object} GatewayTracing
 * @property {(req: import('node:http').IncomingMessage, name: string,
 *   attributes: Record<string, string>) => TracedRequest} startRequest starts a request's SERVER span
 * @property {string | undefined} tracesUrl where spans are exported, if anywhere
 * @property {() => Promise<void>} shutdown exports what is left and unregisters the provider
 */

/** The OTLP/HTTP traces URL of a base endpoint (`<endpoint>/v1/traces`). */
export function otlpTracesUrl(endpoint) {
  return new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).toString();
}

/**
 * A tracer whose spans record nothing but carry real ids: a span continues the caller's trace
 * (flags and tracestate included) or starts a sampled one, as the SDK's default sampler would, so
 * trace ids still reach the upstream, the caller and the access log.
 */
function idOnlyTracer(api) {
  return {
    startSpan(_name, options, parent) {
      const caller = options?.root ? undefined : api.trace.getSpanContext(parent);
      const continued = caller !== undefined && api.isSpanContextValid(caller);
      return api.trace.wrapSpanContext({
        traceId: continued ? caller.traceId : randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        traceFlags: continued ? caller.traceFlags : api.TraceFlags.SAMPLED,
        ...(continued && caller.traceState ? { traceState: caller.traceState } : {}),
      });
    },
  };
}

/**
 * Registers the gateway's tracer provider (`service.name` gateway) with W3C trace-context
 * propagation; with `endpoint` (OTEL_EXPORTER_OTLP_ENDPOINT) its spans are exported over
 * OTLP/HTTP as JSON; without it or `spanProcessors` they record nothing and only carry trace ids.
 * @param {{ endpoint?: string, spanProcessors?: object[] }} [options]
 * @returns {Promise<GatewayTracing>}
 */
export async function startGatewayTracing({ endpoint, spanProcessors = [] } = {}) {
  const api = await import('@opentelemetry/api');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { BatchSpanProcessor, NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { ATTR_SERVICE_NAME } = await import('@opentelemetry/semantic-conventions');
  const processors = [...spanProcessors];
  const tracesUrl = endpoint ? otlpTracesUrl(endpoint) : undefined;
  if (tracesUrl) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl })));
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'gateway' }),
    spanProcessors: processors,
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  // With nowhere for spans to go, recording them is wasted work on every request.
  const tracer = processors.length > 0 ? provider.getTracer('glotixz-gateway') : idOnlyTracer(api);

  return {
    tracesUrl,
    startRequest(req, name, attributes) {
      const parent = api.propagation.extract(api.ROOT_CONTEXT, req.headers);
      const span = tracer.startSpan(name, { kind: api.SpanKind.SERVER, attributes }, parent);
      const headers = {};
      api.propagation.inject(api.trace.setSpan(parent, span), headers);
      const { traceId, spanId, traceFlags } = span.spanContext();
      return {
        traceId,
        headers,
        traceresponse: `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`,
        end(status, completed) {
          span.setAttribute('http.response.status_code', status);
          if (status >= 500 || !completed) span.setStatus({ code: api.SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    async shutdown() {
      await provider.shutdown();
      api.trace.disable();
      api.context.disable();
      api.propagation.disable();
    },
  };
}

/** One access-log line: "GET /api/users/currentuser → auth 200 4 ms". */
export function formatAccess({ method, path, service, status, durationMs }) {
  return `${method} ${path} → ${service ?? '-'} ${status} ${durationMs} ms`;
}

/**
 * Reads GATEWAY_UPSTREAMS: a JSON object mapping service names to ports. Unset or empty answers
 * `{}`; anything else that is not such an object throws, naming the problem.
 * @param {string | undefined} text
 * @returns {Record<string, number>}
 */
export function parseUpstreams(text) {
  if (text === undefined || text.trim() === '') return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('GATEWAY_UPSTREAMS must be JSON, e.g. {"auth":3001}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('GATEWAY_UPSTREAMS must be a JSON object of service → port');
  }
  for (const [service, port] of Object.entries(value)) {
    if (!Number.isInteger(port) || port <= 0 || port >= 65536) {
      throw new Error(`GATEWAY_UPSTREAMS: the port of ${service} must be an integer port`);
    }
  }
  return value;
}

async function main() {
  const port = Number(process.env.GATEWAY_PORT ?? 8080);
  const upstreamHost = process.env.GATEWAY_UPSTREAM_HOST ?? '127.0.0.1';
  const upstreams = parseUpstreams(process.env.GATEWAY_UPSTREAMS);
  const limits = gatewayLimits(process.env);
  const tracing = await startGatewayTracing({
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  });
  const server = createGateway({
    routes: loadRoutes(),
    resolve: (route) => ({ host: upstreamHost, port: upstreams[route.service] ?? route.port }),
    log: (entry) => console.log(formatAccess(entry)),
    tracing,
    limits,
  });
  server.listen(port, process.env.GATEWAY_HOST || '127.0.0.1', () => {
    console.log(`gateway listening on http://localhost:${port} (routes from ${ROUTES_FILE})`);
  });
  const shutdown = () =>
    server
      .stop()
      .then(() => tracing.shutdown())
      .finally(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
