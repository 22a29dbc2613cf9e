import { performance } from 'node:perf_hooks';
import { sleep, type TestUser } from '@glotixz/common/testing';
import type { System } from '../test/support/system';
import { createTicket, RowClock } from './fixtures';
import { onCleanup } from './harness';
import { keepAliveAgent } from './load';
import { distribution, type Distribution } from './stats';
import { databaseOf } from './system-figures';

/**
 * The lag of one event from the moment its publisher wrote it to its outbox to the moment the
 * consumer's effect landed in its own database. Both instants come from Postgres
 * (`clock_timestamp()` in triggers the bench installs on the test databases, reported by NOTIFY),
 * so polling and the bench's event loop add nothing.
 */
export class EventLag {
  private constructor(
    private readonly written: RowClock,
    private readonly landed: RowClock,
  ) {}

  /** `ticket.created` in tickets' outbox → the ticket in orders' replica, keyed by ticket id. */
  static async ticketCreated(system: System): Promise<EventLag> {
    const written = await RowClock.install(
      databaseOf(system, 'tickets'),
      'bench_ticket_outbox_clock',
      'outbox',
      "new.envelope->'data'->>'id'",
      "new.subject = 'ticket.created'",
    );
    onCleanup('tickets outbox listener', () => written.close());
    const landed = await RowClock.install(
      databaseOf(system, 'orders'),
      'bench_replica_clock',
      'tickets',
      'new.id::text',
    );
    onCleanup('orders replica listener', () => landed.close());
    return new EventLag(written, landed);
  }

  /** `order.created` in orders' outbox → the ticket turning reserved in tickets, keyed by order id. */
  static async orderCreated(system: System): Promise<EventLag> {
    const written = await RowClock.install(
      databaseOf(system, 'orders'),
      'bench_order_outbox_clock',
      'outbox',
      "new.envelope->'data'->>'id'",
      "new.subject = 'order.created'",
    );
    onCleanup('orders outbox listener', () => written.close());
    const landed = await RowClock.install(
      databaseOf(system, 'tickets'),
      'bench_reserved_clock',
      'tickets',
      'new.order_id::text',
      "new.status = 'reserved' and old.status is distinct from 'reserved'",
      'update',
    );
    onCleanup('tickets reservation listener', () => landed.close());
    return new EventLag(written, landed);
  }

  /** The lag of `id` in ms, waiting up to `timeoutMs` for both rows; Infinity when one never came. */
  async lagMs(id: string, timeoutMs = 10_000): Promise<number> {
    try {
      const [from, to] = await Promise.all([
        this.written.wait(id, timeoutMs),
        this.landed.wait(id, timeoutMs),
      ]);
      return to - from;
    } catch {
      return Number.POSITIVE_INFINITY;
    }
  }

  /** The lags of `ids`, each waited for up to `timeoutMs` (all at once). */
  async lags(ids: readonly string[], timeoutMs = 10_000): Promise<Distribution> {
    return distribution(await Promise.all(ids.map((id) => this.lagMs(id, timeoutMs))));
  }
}

/** `samples` tickets one after another with small random gaps, each waited for in the replica. */
export async function propagationIdle(
  system: System,
  lag: EventLag,
  seller: TestUser,
  samples = 100,
): Promise<Distribution> {
  const agent = keepAliveAgent(1);
  const origin = new URL(system.services.tickets.url);
  const lags: number[] = [];
  try {
    for (let i = 0; i < samples; i += 1) {
      const id = await createTicket(agent, origin, seller, i);
      lags.push(await lag.lagMs(id));
      await sleep(10 + Math.random() * 20);
    }
  } finally {
    agent.destroy();
  }
  return distribution(lags);
}

/**
 * Lists a ticket every `everyMs` (straight to tickets) until the returned function is called,
 * which answers the `ticket.created` lags, each waited for up to `timeoutMs` after the stop.
 */
export function propagationSampler(
  system: System,
  lag: EventLag,
  seller: TestUser,
  everyMs = 50,
  timeoutMs = 5_000,
): () => Promise<Distribution> {
  const agent = keepAliveAgent(4);
  const origin = new URL(system.services.tickets.url);
  const listed: Promise<string | undefined>[] = [];
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n += 1) {
      const started = performance.now();
      listed.push(createTicket(agent, origin, seller, n).catch(() => undefined));
      await sleep(Math.max(0, everyMs - (performance.now() - started)));
    }
  })();
  return async () => {
    running = false;
    await loop;
    try {
      const ids = await Promise.all(listed);
      const lags = await Promise.all(
        ids.map((id) =>
          id === undefined ? Promise.resolve(Number.POSITIVE_INFINITY) : lag.lagMs(id, timeoutMs),
        ),
      );
      return distribution(lags);
    } finally {
      agent.destroy();
    }
  };
}
