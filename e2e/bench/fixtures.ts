import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createTestUser, sleep, type TestKeys, type TestUser } from '@glotixz/common/testing';
import { Client } from 'pg';
import type { System } from '../test/support/system';
import { keepAliveAgent, send } from './load';

/** Mints `count` users with valid tokens, as auth would sign them, without signing them up. */
export function mintUsers(keys: TestKeys, count: number): TestUser[] {
  return Array.from({ length: count }, () => createTestUser(keys));
}

/**
 * Mints `count` users of `system` and, when notifications runs, writes them into its users
 * replica as their `user.created` would: notifications waits for a recipient it does not know,
 * and the bench mints its buyers instead of signing them up.
 */
export async function mintKnownUsers(system: System, count: number): Promise<TestUser[]> {
  const users = mintUsers(system.keys, count);
  const notifications = system.databases.notifications;
  if (notifications) {
    await query(
      notifications,
      'insert into users (id, email, created_at) select id, email, now() from unnest($1::uuid[], $2::text[]) as u(id, email)',
      [users.map((u) => u.id), users.map((u) => u.email)],
    );
  }
  return users;
}

/** A JSON POST as `user`. */
export function postJson(path: string, user: TestUser, body: unknown) {
  return {
    method: 'POST',
    path,
    headers: { authorization: user.authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/**
 * Lists `count` tickets as `seller` through the tickets API, `connections` at a time; stops
 * early at `deadline` (a `performance.now()` instant) if one is given.
 */
export async function createTickets(
  ticketsUrl: string,
  seller: TestUser,
  count: number,
  connections = 16,
  deadline = Number.POSITIVE_INFINITY,
): Promise<string[]> {
  const origin = new URL(ticketsUrl);
  const agent = keepAliveAgent(connections);
  const ids: string[] = [];
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < count && performance.now() < deadline) {
          const n = next++;
          const res = await createTicket(agent, origin, seller, n);
          ids.push(res);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return ids;
}

/** The event the bench lists its tickets for, per tickets service (origin): created once, a month ahead. */
const benchEvents = new Map<string, Promise<string>>();

function benchEvent(agent: http.Agent, origin: URL, seller: TestUser): Promise<string> {
  let id = benchEvents.get(origin.origin);
  if (!id) {
    id = send(
      agent,
      origin,
      postJson('/api/events', seller, {
        name: 'Bench night',
        venue: 'Bench Hall',
        city: 'London',
        country: 'GB',
        startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        timezone: 'Europe/London',
        category: 'concert',
      }),
    ).then((res) => {
      if (res.status !== 201 && res.status !== 200) {
        throw new Error(`event creation answered ${res.status}: ${res.body}`);
      }
      return (JSON.parse(res.body) as { id: string }).id;
    });
    benchEvents.set(origin.origin, id);
  }
  return id;
}

/** Lists one ticket (seat `n` of the bench's event) and answers its id. */
export async function createTicket(
  agent: http.Agent,
  origin: URL,
  seller: TestUser,
  n: number,
): Promise<string> {
  const eventId = await benchEvent(agent, origin, seller);
  const res = await send(
    agent,
    origin,
    postJson('/api/tickets', seller, {
      eventId,
      seat: String(n),
      price: 1000 + (n % 100),
      currency: 'usd',
    }),
  );
  if (res.status !== 201) throw new Error(`ticket creation answered ${res.status}: ${res.body}`);
  return (JSON.parse(res.body) as { id: string }).id;
}

/**
 * A pg client for `url` whose connection errors (a database dropped with its connections, say)
 * fail its queries instead of crashing the process.
 */
export function connectedClient(url: string): Client {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  return client;
}

/** Runs one query on a fresh connection to `url`. */
export async function query<T extends Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = connectedClient(url);
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Polls `probe` every `everyMs` until it is true; throws after `timeoutMs`. */
export async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Waits until the orders replica (database `ordersDb`) holds every ticket in `ids`. */
export async function waitReplicated(ordersDb: string, ids: string[], timeoutMs = 60_000): Promise<void> {
  await until(
    async () => {
      const [row] = await query<{ n: number }>(
        ordersDb,
        'select count(*)::int as n from tickets where id = any($1::uuid[])',
        [ids],
      );
      return row?.n === ids.length;
    },
    timeoutMs,
    `the orders replica to hold ${ids.length} tickets`,
    ids.length > 1000 ? 250 : 20,
  );
}

/**
 * Timestamps (Postgres `clock_timestamp()`, ms since the epoch) of rows as triggers report them
 * with `NOTIFY`: one LISTEN connection per database, keyed by the aggregate id in the payload.
 */
export class RowClock {
  readonly times = new Map<string, number>();
  private readonly waiters = new Map<string, (ms: number) => void>();
  private constructor(private readonly client: Client) {}

  /**
   * Installs an AFTER INSERT (or UPDATE) trigger on `table` of the database at `url` that notifies
   * the id `idExpression` (over NEW) with the time of the write, for rows where `when` (over NEW,
   * and OLD for an update) holds, and listens for it.
   */
  static async install(
    url: string,
    name: string,
    table: string,
    idExpression: string,
    when = 'true',
    on: 'insert' | 'update' = 'insert',
  ) {
    const client = connectedClient(url);
    await client.connect();
    await client.query(`
      create or replace function ${name}() returns trigger language plpgsql as $$
      begin
        perform pg_notify('${name}', (${idExpression}) || ' ' || (extract(epoch from clock_timestamp()) * 1000)::text);
        return new;
      end $$`);
    await client.query(`drop trigger if exists ${name} on ${table}`);
    await client.query(
      `create trigger ${name} after ${on} on ${table} for each row when (${when}) execute function ${name}()`,
    );
    const clock = new RowClock(client);
    client.on('notification', (msg) => {
      const [id, ms] = (msg.payload ?? '').split(' ');
      if (!id || !ms) return;
      clock.times.set(id, Number(ms));
      clock.waiters.get(id)?.(Number(ms));
      clock.waiters.delete(id);
    });
    await client.query(`listen ${name}`);
    return clock;
  }

  /** The insert time of `id`, waiting up to `timeoutMs` for it. */
  wait(id: string, timeoutMs = 10_000): Promise<number> {
    const known = this.times.get(id);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`no row ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, (ms) => {
        clearTimeout(timer);
        resolve(ms);
      });
    });
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
