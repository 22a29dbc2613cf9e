/**
 * The floors the bench measures beside the targets: the least code that does what a target's
 * path must do, on the same runtime, so that a ratio the product misses can be told apart from
 * one no implementation on this machine reaches. No framework, no logging, no metrics, no
 * validation beyond what the work needs.
 *
 * FLOOR_MODE=proxy: a reverse proxy (node:http server → node:http request on a keep-alive agent →
 *   the answer piped back) in front of FLOOR_UPSTREAM; the floor of the gateway's pass.
 * FLOOR_MODE=http-proxy-3: the same on http-proxy-3, the library the gateway is built on, with
 *   nothing of the gateway's own: the floor of a gateway on that library.
 * FLOOR_MODE=orders: the order placement's floor. `POST /api/orders { ticketId }` with a Bearer
 *   ES256 token (verified once per token, as the services cache them) writes the order for a
 *   listed, unreserved ticket, its outbox row and a NOTIFY in one statement; a relay woken by the
 *   NOTIFY takes the rows out in one statement per batch and publishes them to JetStream (msgID =
 *   the row's id) before its transaction commits. Durable, published exactly once, one order per
 *   ticket: what the orders service guarantees, without anything else it does.
 * FLOOR_MODE=consumer: a consumer's floor. A durable pull consumer (FLOOR_DURABLE) of FLOOR_SUBJECT
 *   in FLOOR_STREAM applies what arrived together in one statement: the inbox rows and the effect
 *   of the events not seen before (FLOOR_EFFECT: a replica row; a change with an event of its own
 *   through an outbox and relay to FLOOR_PUBLISH_SUBJECT; an email record and the email sent over
 *   SMTP to FLOOR_SMTP_URL; or a delayed job in Redis at FLOOR_REDIS_URL); then acks them.
 * Reads FLOOR_PORT, and FLOOR_DATABASE_URL, FLOOR_NATS_URL, FLOOR_SUBJECT (orders, consumer) and
 * FLOOR_PUBLIC_KEY (orders).
 */
import http from 'node:http';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createProxyServer } from 'http-proxy-3';
import jwt from 'jsonwebtoken';
import Redis from 'ioredis';
import nodemailer from 'nodemailer';
import { Client, Pool } from 'pg';

const port = Number(process.env.FLOOR_PORT);

function proxy(): http.Server {
  const upstream = new URL(process.env.FLOOR_UPSTREAM ?? '');
  const agent = new http.Agent({ keepAlive: true });
  return http.createServer((req, res) => {
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.writeHead(502).end());
    req.pipe(forwarded);
  });
}

function onHttpProxy3(): http.Server {
  const proxy = createProxyServer({
    target: process.env.FLOOR_UPSTREAM,
    agent: new http.Agent({ keepAlive: true }),
  });
  proxy.on('error', (_err, _req, res) => {
    if (res instanceof http.ServerResponse && !res.headersSent) res.writeHead(502).end();
  });
  return http.createServer((req, res) => proxy.web(req, res));
}

const SCHEMA = `
  create table if not exists tickets (id uuid primary key, price integer not null);
  create table if not exists orders (
    id uuid primary key default gen_random_uuid(),
    ticket_id uuid not null references tickets (id),
    user_id text not null,
    status text not null,
    price integer not null,
    expires_at timestamptz not null,
    created_at timestamptz not null default now());
  create unique index if not exists one_live_order_per_ticket on orders (ticket_id) where status <> 'cancelled';
  create table if not exists outbox (id uuid primary key default gen_random_uuid(), seq bigserial, payload text not null);`;

const PLACE = `
  with placed as (
    insert into orders (ticket_id, user_id, status, price, expires_at)
    select id, $2, 'awaiting_payment', price, now() + interval '15 minutes' from tickets where id = $1
    on conflict do nothing
    returning id, ticket_id, user_id, status, price, expires_at),
  queued as (insert into outbox (payload) select row_to_json(placed)::text from placed returning id)
  select placed.*, (select count(pg_notify('floor_outbox', '')) from queued) as queued from placed`;

/**
 * The relay of a floor's outbox: woken by its NOTIFY, it takes up to 200 rows out in one
 * statement, publishes them to `subject` (msgID = the row's id) and commits once every PubAck is in.
 */
async function startRelay(databaseUrl: string, js: JetStreamClient, subject: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const listener = new Client({ connectionString: databaseUrl });
  await listener.connect();
  const relayOnce = async (): Promise<number> => {
    await client.query('begin');
    try {
      const { rows } = await client.query<{ id: string; payload: string }>(
        `delete from outbox where id in (select id from outbox order by seq limit 200 for update skip locked)
         returning id, payload`,
      );
      await Promise.all(rows.map((row) => js.publish(subject, row.payload, { msgID: row.id })));
      await client.query('commit');
      return rows.length;
    } catch (err) {
      await client.query('rollback');
      throw err;
    }
  };
  let running: Promise<void> | undefined;
  let again = false;
  const wake = () => {
    again = true;
    running ??= (async () => {
      while (again) {
        again = false;
        while ((await relayOnce()) === 200);
      }
    })()
      .catch((err: unknown) => console.error('relay:', err))
      .finally(() => {
        running = undefined;
      });
  };
  listener.on('notification', wake);
  await listener.query('listen floor_outbox');
}

async function orders(): Promise<http.Server> {
  const pool = new Pool({ connectionString: process.env.FLOOR_DATABASE_URL, max: 10 });
  await pool.query(SCHEMA);
  const publicKey = process.env.FLOOR_PUBLIC_KEY ?? '';
  const verified = new Map<string, string>();
  const userOf = (authorization: string | undefined): string | undefined => {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    if (!token) return undefined;
    let user = verified.get(token);
    if (user === undefined) {
      try {
        user = String((jwt.verify(token, publicKey, { algorithms: ['ES256'] }) as jwt.JwtPayload).sub);
      } catch {
        return undefined;
      }
      verified.set(token, user);
    }
    return user;
  };

  const nc = await connect({ servers: process.env.FLOOR_NATS_URL });
  await startRelay(process.env.FLOOR_DATABASE_URL ?? '', jetstream(nc), process.env.FLOOR_SUBJECT ?? '');

  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (req.method === 'GET') return send(200, { ok: true });
      const user = userOf(req.headers.authorization);
      if (!user) return send(401, { code: 'NOT_AUTHORIZED' });
      let ticketId: unknown;
      try {
        ticketId = (JSON.parse(Buffer.concat(chunks).toString()) as { ticketId?: unknown }).ticketId;
      } catch {
        return send(400, { code: 'MALFORMED_JSON' });
      }
      if (typeof ticketId !== 'string') return send(400, { code: 'VALIDATION_FAILED' });
      void pool.query(PLACE, [ticketId, user]).then(
        ({ rows }) => (rows[0] ? send(201, rows[0]) : send(409, { code: 'TICKET_RESERVED' })),
        () => send(500, { code: 'INTERNAL' }),
      );
    });
  });
}

/** The inbox rows of a batch (event id = the order's id), answering the events not seen before. */
const FRESH = `
  arrived as (select payload::jsonb as p from unnest($1::text[]) as payload),
  fresh as (
    insert into inbox (event_id) select (p->>'id')::uuid from arrived
    on conflict do nothing returning event_id),
  applied as (select arrived.p from arrived join fresh on fresh.event_id = (arrived.p->>'id')::uuid)`;

/** What each kind of consumer floor does with a batch, in one statement (and one call outside). */
const EFFECTS = {
  /** A replica row per event (payments' and orders' replicas). */
  replica: `with ${FRESH}
    insert into replica (id, status) select (p->>'id')::uuid, p->>'status' from applied
    on conflict (id) do nothing`,
  /** A change and an event of its own through the outbox (tickets: the ticket reserved). */
  outbox: `with ${FRESH},
    changed as (
      insert into replica (id, status) select (p->>'id')::uuid, 'reserved' from applied
      on conflict (id) do nothing returning id, status),
    queued as (insert into outbox (payload) select row_to_json(changed)::text from changed returning id)
    select (select count(pg_notify('floor_outbox', '')) from queued) as queued`,
  /** The record that makes an email effectively once (notifications), then the sends. */
  email: `with ${FRESH}
    insert into replica (id, status) select (p->>'id')::uuid, 'sending' from applied
    on conflict (id) do nothing returning id`,
} as const;

/** A message of the size of a real reservation email: a few kB of HTML and a plain-text part. */
function emailFor(orderId: string) {
  const html = `<!doctype html><html><body><table width="100%">${'<tr><td style="padding:8px;font:16px sans-serif">Your ticket is held</td></tr>'.repeat(40)}<p>Order ${orderId}</p></table></body></html>`;
  return {
    from: 'Glotixz <tickets@glotixz.test>',
    to: `buyer-${orderId}@glotixz.test`,
    subject: 'Your ticket is held: pay within 15 minutes',
    text: `Your ticket is held. Order ${orderId}. Pay within 15 minutes.`,
    html,
  };
}

/**
 * A consumer floor: a durable pull consumer applying what arrived together as one batch, then
 * acking it. FLOOR_EFFECT says what it does (see {@link EFFECTS}; `redis` schedules a delayed job
 * per event as the expiration service's queue does, keyed by the order so a repeat adds nothing).
 */
async function consumer(): Promise<http.Server> {
  const effect = process.env.FLOOR_EFFECT ?? 'replica';
  const databaseUrl = process.env.FLOOR_DATABASE_URL ?? '';
  const nc = await connect({ servers: process.env.FLOOR_NATS_URL });
  const js = jetstream(nc);
  let apply: (payloads: string[]) => Promise<unknown>;
  if (effect === 'redis') {
    const redis = new Redis(process.env.FLOOR_REDIS_URL ?? '');
    const prefix = process.env.FLOOR_REDIS_PREFIX ?? 'floor';
    apply = (payloads) => {
      const pipeline = redis.pipeline();
      for (const payload of payloads) {
        const { id, expires_at: expiresAt } = JSON.parse(payload) as { id: string; expires_at: string };
        pipeline.hsetnx(`${prefix}:job:${id}`, 'data', payload);
        pipeline.zadd(`${prefix}:delayed`, 'NX', Date.parse(expiresAt), id);
      }
      return pipeline.exec();
    };
  } else {
    const pool = new Pool({ connectionString: databaseUrl, max: 1 });
    await pool.query(`
      create table if not exists inbox (event_id uuid primary key, processed_at timestamptz not null default now());
      create table if not exists replica (id uuid primary key, status text not null, sent_at timestamptz);
      create table if not exists outbox (id uuid primary key default gen_random_uuid(), seq bigserial, payload text not null);`);
    const statement = EFFECTS[effect as keyof typeof EFFECTS];
    if (effect === 'outbox') await startRelay(databaseUrl, js, process.env.FLOOR_PUBLISH_SUBJECT ?? '');
    if (effect === 'email') {
      const mailer = nodemailer.createTransport({
        url: process.env.FLOOR_SMTP_URL,
        pool: true,
        maxConnections: 2,
      });
      apply = async (payloads) => {
        const { rows } = await pool.query<{ id: string }>(statement, [payloads]);
        await Promise.all(rows.map((row) => mailer.sendMail(emailFor(row.id))));
        await pool.query('update replica set sent_at = now(), status = $2 where id = any($1::uuid[])', [
          rows.map((row) => row.id),
          'sent',
        ]);
      };
    } else {
      apply = (payloads) => pool.query(statement, [payloads]);
    }
  }
  const stream = process.env.FLOOR_STREAM ?? '';
  const durable = process.env.FLOOR_DURABLE ?? 'floor';
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(stream, {
    durable_name: durable,
    filter_subject: process.env.FLOOR_SUBJECT,
    ack_policy: AckPolicy.Explicit,
  });
  const messages = await js.consumers.get(stream, durable).then((c) => c.consume({ max_messages: 200 }));
  // Everything that arrived while the previous batch was applied is the next batch.
  let arrived: JsMsg[] = [];
  let applying: Promise<void> | undefined;
  const drain = (): void => {
    applying ??= (async () => {
      while (arrived.length > 0) {
        const batch = arrived;
        arrived = [];
        await apply(batch.map((m) => m.string()));
        for (const m of batch) m.ack();
      }
    })()
      .catch((err: unknown) => console.error('consumer:', err))
      .finally(() => {
        applying = undefined;
        if (arrived.length > 0) drain();
      });
  };
  void (async () => {
    for await (const m of messages) {
      arrived.push(m);
      drain();
    }
  })();
  return http.createServer((_req, res) => {
    res.writeHead(200).end('ok');
  });
}

async function main(): Promise<void> {
  const mode = process.env.FLOOR_MODE;
  const server =
    mode === 'proxy'
      ? proxy()
      : mode === 'http-proxy-3'
        ? onHttpProxy3()
        : mode === 'consumer'
          ? await consumer()
          : await orders();
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
