import { performance } from 'node:perf_hooks';
import type { TestUser } from '@glotixz/common/testing';
import { startSystem, type System } from '../test/support/system';
import { burst } from './baseline';
import {
  connectedClient,
  createTickets,
  mintKnownUsers,
  mintUsers,
  postJson,
  until,
  waitReplicated,
} from './fixtures';
import { killOnExit, log, owned } from './harness';
import { keepAliveAgent, send } from './load';
import { distribution, type Distribution } from './stats';
import { databaseOf, gatewayOf } from './system-figures';

/** What one flash sale showed. */
export interface FlashSale {
  buyers: number;
  tickets: number;
  /** First request sent → last answer read. */
  answeredMs: number;
  /** First request sent → one live order per ticket in orders and every ticket reserved by it in tickets. */
  settledMs: number;
  statuses: Record<string, number>;
  /** Every buyer got an answer: no transport error. */
  allAnswered: boolean;
  /** Exactly one 201 per ticket, every other answer 409, and both databases agree. */
  consistent: boolean;
}

type Live = { ticket_id: string; id: string };
type Reserved = { id: string; order_id: string };

/**
 * `buyers` buyers, each on its own connection, order at once through the gateway; buyer i wants
 * ticket i mod `ticketCount`. Measures until every answer is in and both databases settled.
 */
export async function flashSale(
  system: System,
  seller: TestUser,
  ticketCount: number,
  buyerCount: number,
): Promise<FlashSale> {
  const ticketIds = await createTickets(system.services.tickets.url, seller, ticketCount, 8);
  const ordersDb = connectedClient(databaseOf(system, 'orders'));
  const ticketsDb = connectedClient(databaseOf(system, 'tickets'));
  await Promise.all([ordersDb.connect(), ticketsDb.connect()]);
  try {
    await waitReplicated(databaseOf(system, 'orders'), ticketIds);
    const buyers = await mintKnownUsers(system, buyerCount);
    const started = performance.now();
    const sale = await burst(
      gatewayOf(system).url,
      buyers.map((buyer, i) => postJson('/api/orders', buyer, { ticketId: ticketIds[i % ticketCount] })),
      buyerCount,
    );
    let live: Live[] = [];
    let reserved: Reserved[] = [];
    await until(
      async () => {
        [live, reserved] = await Promise.all([
          ordersDb
            .query<Live>(
              `select ticket_id, id from orders where ticket_id = any($1::uuid[]) and status <> 'cancelled'`,
              [ticketIds],
            )
            .then((r) => r.rows),
          ticketsDb
            .query<Reserved>(
              'select id, order_id from tickets where id = any($1::uuid[]) and order_id is not null',
              [ticketIds],
            )
            .then((r) => r.rows),
        ]);
        return live.length === ticketCount && reserved.length === ticketCount;
      },
      30_000,
      'the flash sale to settle',
      5,
    );
    const settledMs = performance.now() - started;
    const winners = new Map(live.map((row) => [row.ticket_id, row.id]));
    const { statuses } = sale;
    const consistent =
      statuses['201'] === ticketCount &&
      statuses['409'] === buyerCount - ticketCount &&
      winners.size === ticketCount &&
      reserved.every((row) => winners.get(row.id) === row.order_id);
    return {
      buyers: buyerCount,
      tickets: ticketCount,
      answeredMs: sale.answeredMs,
      settledMs,
      statuses,
      allAnswered: statuses.error === undefined,
      consistent,
    };
  } finally {
    await Promise.all([ordersDb.end(), ticketsDb.end()]);
  }
}

/** How late unpaid orders were cancelled after their `expiresAt`. */
export interface ExpiryFigures {
  windowSeconds: number;
  lateness: Distribution;
}

/** Places one order per ticket straight at orders, each as its own buyer, expecting 201s. */
async function placeOrders(system: System, ticketIds: string[]): Promise<void> {
  const buyers = mintUsers(system.keys, ticketIds.length);
  const agent = keepAliveAgent(8);
  const origin = new URL(system.services.orders.url);
  try {
    await Promise.all(
      ticketIds.map(async (ticketId, i) => {
        const res = await send(agent, origin, postJson('/api/orders', buyers[i] as TestUser, { ticketId }));
        if (res.status !== 201) throw new Error(`order answered ${res.status}: ${res.body}`);
      }),
    );
  } finally {
    agent.destroy();
  }
}

/**
 * A system of tickets, orders and expiration with a short expiration window and the backstop
 * sweeper held back, so every cancellation is the expiration service's: `count` orders, and
 * per order the cancellation time (the row's `updated_at`) minus `expires_at`.
 */
export async function expiryLateness(count = 100, windowSeconds = 3): Promise<ExpiryFigures> {
  const system = await startSystem({
    services: ['tickets', 'orders', 'expiration'],
    env: {
      orders: {
        EXPIRATION_WINDOW_SECONDS: String(windowSeconds),
        SWEEP_INTERVAL_SECONDS: '5',
        SWEEP_GRACE_SECONDS: '20',
      },
    },
  });
  const stop = owned('expiry system', () => system.stop());
  killOnExit(() => Object.values(system.services).map((s) => s.process));
  try {
    const ordersDb = databaseOf(system, 'orders');
    const [seller] = mintUsers(system.keys, 1) as [TestUser];
    const ticketIds = await createTickets(system.services.tickets.url, seller, count, 8);
    await waitReplicated(ordersDb, ticketIds);
    await placeOrders(system, ticketIds);
    log(`${count} orders placed; waiting for them to expire`);
    const client = connectedClient(ordersDb);
    await client.connect();
    try {
      await until(
        async () => {
          const { rows } = await client.query<{ n: number }>(
            `select count(*)::int as n from orders where status = 'cancelled'`,
          );
          return rows[0]?.n === count;
        },
        windowSeconds * 1000 + 20_000,
        'every order to expire',
        20,
      );
      const { rows } = await client.query<{ late_ms: number }>(
        'select (extract(epoch from (updated_at - expires_at)) * 1000)::float8 as late_ms from orders',
      );
      return { windowSeconds, lateness: distribution(rows.map((r) => r.late_ms)) };
    } finally {
      await client.end();
    }
  } finally {
    await stop();
  }
}
