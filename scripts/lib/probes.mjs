/**
 * Protocol-level health probes for the stack's infrastructure. Each probe answers
 * `{ ok: true, detail }` or `{ ok: false, reason }` and never throws:
 *   Postgres  connects with `pg` and runs `select 1`
 *   NATS      reads the server's INFO line and requires "jetstream": true
 *   Redis     sends PING (after AUTH when the URL has credentials) and requires +PONG
 */
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';

const DEFAULT_TIMEOUT_MS = 3000;

/** Turns a connection error into a short human phrase. */
export function describeError(err) {
  switch (err?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ETIMEDOUT':
    case 'TIMEOUT':
      return 'timed out';
    case 'ENOTFOUND':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    default:
      return err?.message || String(err);
  }
}

function timeoutError() {
  return Object.assign(new Error('timed out'), { code: 'TIMEOUT' });
}

/**
 * Opens a socket and collects the first `lines` CRLF-terminated lines the server sends after
 * `send` (if any) is written. Rejects on connection errors, early close or timeout.
 */
function exchangeLines({ host, port, tls = false, send, lines, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const socket = tls
      ? connectTls({ host, port, servername: host, rejectUnauthorized: false })
      : connectTcp({ host, port });
    let buffer = '';
    let settled = false;
    const finish = (err, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(timeoutError()), timeoutMs);
    socket.setEncoding('utf8');
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      if (send) socket.write(send);
    });
    socket.on('data', (chunk) => {
      buffer += chunk;
      const received = buffer.split('\r\n');
      if (received.length > lines) finish(null, received.slice(0, lines));
      else if (buffer.length > 1 << 20) finish(new Error('answer too long'));
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error('connection closed by the server')));
  });
}

function hostAndPort(url, defaultPort) {
  return { host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(url.port || defaultPort) };
}

/** True if something accepts TCP connections on host:port. */
export function probeTcp(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    const done = (open) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Connects to Postgres with `pg` and runs `select 1`. */
export async function probePostgres(url, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  let pg;
  try {
    ({ default: pg } = await import('pg'));
  } catch {
    return { ok: false, reason: 'the pg package is not installed (run npm install)' };
  }
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query('select 1 as ok, version() as version');
    if (rows[0]?.ok !== 1) return { ok: false, reason: 'unexpected answer to select 1' };
    return { ok: true, detail: String(rows[0].version).split(' ').slice(0, 2).join(' ') };
  } catch (err) {
    return { ok: false, reason: describeError(err) };
  } finally {
    await Promise.race([client.end().catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
  }
}

/** Reads the INFO line a NATS server sends on connect and checks that JetStream is enabled. */
export async function probeNats(url, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  let target;
  try {
    const first = url.split(',')[0].trim();
    target = hostAndPort(new URL(first.includes('://') ? first : `nats://${first}`), 4222);
  } catch {
    return { ok: false, reason: `not a valid NATS URL: ${url}` };
  }
  try {
    const [line] = await exchangeLines({ ...target, lines: 1, timeoutMs });
    if (!line.startsWith('INFO '))
      return { ok: false, reason: 'the server did not greet with INFO (not NATS?)' };
    const info = JSON.parse(line.slice(5));
    if (info.jetstream !== true) {
      return { ok: false, reason: `NATS ${info.version ?? ''} runs without JetStream (start it with -js)` };
    }
    return { ok: true, detail: `NATS ${info.version ?? '?'} with JetStream` };
  } catch (err) {
    return { ok: false, reason: describeError(err) };
  }
}

function respCommand(...args) {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

/** Sends PING (after AUTH when the URL carries credentials) and requires +PONG. */
export async function probeRedis(url, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  let parsed;
  try {
    parsed = new URL(url);
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error('scheme');
  } catch {
    return { ok: false, reason: `not a valid Redis URL: ${url}` };
  }
  const commands = [];
  if (parsed.password) {
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    commands.push(user ? respCommand('AUTH', user, password) : respCommand('AUTH', password));
  }
  commands.push(respCommand('PING'));
  try {
    const answers = await exchangeLines({
      ...hostAndPort(parsed, 6379),
      tls: parsed.protocol === 'rediss:',
      send: commands.join(''),
      lines: commands.length,
      timeoutMs,
    });
    const error = answers.find((a) => a.startsWith('-'));
    if (error) return { ok: false, reason: `Redis answered ${error.slice(1)}` };
    if (answers.at(-1) !== '+PONG') return { ok: false, reason: 'no +PONG answer to PING (not Redis?)' };
    return { ok: true, detail: 'Redis answered PONG' };
  } catch (err) {
    return { ok: false, reason: describeError(err) };
  }
}
