/**
 * Probes of the stack's servers through their real clients (loaded after the install): each answers
 * `{ ok: true, detail }` or `{ ok: false, reason }` and never throws.
 */
import { connect as connectTcp } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const PHRASES = { ECONNREFUSED: 'connection refused', ETIMEDOUT: 'timed out', ENOTFOUND: 'host not found' };

/** Runs `check(timeoutMs)` within `timeoutMs` (and a second for the client's own): detail or reason. */
async function probe({ timeoutMs = 3000 } = {}, check) {
  const timedOut = sleep(timeoutMs + 1000, null, { ref: false }).then(() => {
    throw new Error('timed out');
  });
  try {
    return { ok: true, detail: await Promise.race([check(timeoutMs), timedOut]) };
  } catch (err) {
    const code = err?.code ?? err?.cause?.code ?? /ECONNREFUSED|ETIMEDOUT|ENOTFOUND/.exec(err?.message)?.[0];
    const other = err?.name === 'ReplyError' ? `Redis answered ${err.message}` : err?.message || String(err);
    return { ok: false, reason: /timed? ?out/i.test(err?.message) ? 'timed out' : (PHRASES[code] ?? other) };
  }
}

/** True if something accepts TCP connections on host:port. */
export function probeTcp(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port, timeout: timeoutMs });
    const done = (open) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

export const probePostgres = (url, options) =>
  probe(options, async (timeoutMs) => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await client.query('select version()');
      return String(rows[0].version).split(' ').slice(0, 2).join(' ');
    } finally {
      void client.end().catch(() => {});
    }
  });

export const probeNats = (url, options) =>
  probe(options, async (timeout) => {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: url.split(','), timeout, reconnect: false });
    try {
      const version = nc.info?.version ?? '?';
      if (!nc.info?.jetstream) throw new Error(`NATS ${version} runs without JetStream (start it with -js)`);
      await jetstreamManager(nc, { timeout });
      return `NATS ${version} with JetStream`;
    } finally {
      void nc.close().catch(() => {});
    }
  });

export const probeRedis = (url, options) =>
  probe(options, async (timeout) => {
    if (!/^rediss?:\/\//.test(url)) throw new Error(`not a valid Redis URL: ${url}`);
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: timeout,
      commandTimeout: timeout,
      enableReadyCheck: false,
      disableClientInfo: true,
      protocol: 2,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    let failure;
    redis.on('error', (err) => (failure ??= err));
    try {
      // ioredis answers "Connection is closed" once it gave up; the reason is the error before.
      await redis.connect().catch((err) => Promise.reject(failure ?? err));
      if ((await redis.ping()) !== 'PONG') throw new Error('no PONG answer to PING (not Redis?)');
      return 'Redis answered PONG';
    } finally {
      redis.disconnect();
    }
  });
