import type { Bus, Messaging } from '@glotixz/common/bus';
import { randomUUID } from 'node:crypto';
import type {
  Envelope,
  EventMap,
  OrderCancelledData,
  OrderCreatedData,
  Subject,
  TicketUpdatedData,
} from '@glotixz/common/events';
import { createServiceTestbed, waitFor, type TestKeys, type TestUser } from '@glotixz/common/testing';
import type { Express } from 'express';
import type { Pool } from 'pg';
import request from 'supertest';
import { configSchema, type Config } from '../src/config';
import { migrationsFolder } from '../src/db/migrate';
import * as schema from '../src/db/schema';
import { ticketsConsumers } from '../src/events/consumers';
import { ticketsService } from '../src/service';
import type { TicketsDb } from '../src/db/db';
import type { Event } from '../src/catalog/events.schemas';
import type { Ticket } from '../src/tickets/tickets.schemas';

export type { TestUser };

/** A stored ticket row as the tests read it back with SQL. */
export interface StoredTicket {
  id: string;
  title: string;
  price: number;
  currency: string;
  user_id: string;
  order_id: string | null;
  version: number;
  status: string;
  event_id: string;
}

/**
 * What a `ticket.*` event carries for `ticket`: the API shape without the note and held terms,
 * with its event's details (in `country`, the harness events' default) and its seat.
 */
export function ticketEventData(ticket: Ticket, country = 'GB'): TicketUpdatedData {
  const { id, title, price, currency, userId, orderId, eventId, status, version } = ticket;
  const { id: eventDetailsId, name, venue, city, timezone, startsAt } = ticket.event;
  return {
    id,
    title,
    price,
    currency,
    userId,
    orderId,
    eventId,
    startsAt,
    status,
    event: { id: eventDetailsId, name, venue, city, country, timezone, startsAt },
    seat: { section: ticket.section, row: ticket.row, seat: ticket.seat },
    version,
  };
}

/** An `order.created` of a new order for `ticket`, at the ticket's terms. */
export function orderCreated(
  ticket: Pick<Ticket, 'id' | 'title' | 'price' | 'currency'>,
  orderId: string = randomUUID(),
): OrderCreatedData {
  return {
    id: orderId,
    status: 'awaiting_payment',
    userId: randomUUID(),
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
    version: 0,
    ticket: { id: ticket.id, title: ticket.title, price: ticket.price, currency: ticket.currency },
  };
}

/** The data of an `order.cancelled` (or, same shape, `order.completed`) of `orderId` for ticket `ticketId`. */
export function orderSettled(ticketId: string, orderId: string): OrderCancelledData {
  return { id: orderId, version: 1, ticket: { id: ticketId } };
}

let eventsMade = 0;

/** A `POST /api/events` body of a new event a month ahead; `overrides` replace any field. */
export function eventBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  eventsMade += 1;
  return {
    name: `Test concert ${eventsMade}`,
    venue: 'Test Arena',
    city: 'London',
    country: 'GB',
    // A distinct start each, so two test events never share an identity by accident.
    startsAt: new Date(Date.now() + 30 * 86_400_000 + eventsMade * 60_000).toISOString(),
    timezone: 'Europe/London',
    category: 'concert',
    ...overrides,
  };
}

/** A migrated throwaway tickets database, a prefixed bus with the service's consumers, and the app. */
export interface TicketsHarness {
  pool: Pool;
  db: TicketsDb;
  /** A test connection on the service's prefix, for publishing and reading the streams. */
  bus: Bus;
  messaging: Messaging;
  keys: TestKeys;
  config: Config;
  app: Express;
  /** A new user with a valid bearer token. */
  user(): TestUser;
  /** Creates an event through the API as `organizer` (see {@link eventBody}); answers it. */
  createEvent(organizer: TestUser, body?: Record<string, unknown>): Promise<Event>;
  /**
   * Lists a ticket through the API as `seller`; answers the created ticket. Without `eventId` it
   * first creates an event, named `title` when given (so the listing's derived title is `title`).
   */
  createTicket(seller: TestUser, body?: Record<string, unknown>): Promise<Ticket>;
  /**
   * Moves an event's start to `secondsAgo` in the past (the API refuses past starts), with its
   * listings' copy of it, as if the event had just started.
   */
  startEvent(eventId: string, secondsAgo?: number): Promise<void>;
  /** The row of a ticket, or undefined. */
  row(id: string): Promise<StoredTicket | undefined>;
  countTickets(): Promise<number>;
  /** Publishes an event on the test bus, as its owning service's relay would. */
  publish<S extends Subject>(subject: S, data: EventMap[S]): Promise<Envelope<S>>;
  /** The envelopes on `subject` whose data is about ticket `ticketId`, oldest first. */
  ticketEvents(subject: 'ticket.created' | 'ticket.updated', ticketId: string): Promise<Envelope[]>;
  /**
   * Follows `nextCursor` from the first page of the public list at `path` (`/api/tickets`,
   * `/api/events`) to the last; answers the ids in the order seen and how many pages it took.
   */
  allPages(path: string, query: Record<string, string | number>): Promise<{ ids: string[]; pages: number }>;
  /** Waits for at least `count` `ticket.updated` of ticket `ticketId` on the stream; answers their data. */
  updates(ticketId: string, count: number): Promise<TicketUpdatedData[]>;
  /** Waits until the ticket's row satisfies `check`; answers the row. */
  rowWhen(ticketId: string, check: (row: StoredTicket) => boolean, what: string): Promise<StoredTicket>;
  /** Waits until `durable` has handled (acked or is retrying) everything published to it. */
  settled(durable: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Sets up a random database and bus prefix with the tickets service running on them. */
export async function startTicketsHarness(env: Record<string, string> = {}): Promise<TicketsHarness> {
  const testbed = await createServiceTestbed({ migrationsFolder, schema });
  const { pool, db } = testbed;
  const config = configSchema.parse({ ...testbed.env, ...env });
  const messaging = await testbed.startMessaging({ service: 'tickets', consumers: ticketsConsumers(db) });
  // The app as the service declares it, on the testbed's dependencies.
  const { app } = ticketsService.createApp({ config, ...testbed.appDeps(messaging) });

  async function createEvent(organizer: TestUser, body: Record<string, unknown> = {}): Promise<Event> {
    const res = await request(app)
      .post('/api/events')
      .set('authorization', organizer.authorization)
      .send(eventBody(body))
      .expect(201);
    return res.body as Event;
  }

  const harness: TicketsHarness = {
    // The testbed's database, keys, bus, users, publishing and close, then the service's own parts.
    ...testbed,
    messaging,
    config,
    app,
    createEvent,
    async createTicket(seller, body = {}) {
      const { title, ...rest } = body;
      const eventId =
        rest.eventId ?? (await createEvent(seller, title === undefined ? {} : { name: title })).id;
      const res = await request(app)
        .post('/api/tickets')
        .set('authorization', seller.authorization)
        .send({ price: 2_500, ...rest, eventId })
        .expect(201);
      return res.body as Ticket;
    },
    async startEvent(eventId, secondsAgo = 1) {
      const startsAt = new Date(Date.now() - secondsAgo * 1000).toISOString();
      await pool.query('update events set starts_at = $2 where id = $1', [eventId, startsAt]);
      await pool.query('update tickets set starts_at = $2 where event_id = $1', [eventId, startsAt]);
    },
    async row(id) {
      const { rows } = await pool.query<StoredTicket>(
        'select id, title, price, currency, user_id, order_id, version, status, event_id from tickets where id = $1',
        [id],
      );
      return rows[0];
    },
    async countTickets() {
      const { rows } = await pool.query<{ n: string }>('select count(*) as n from tickets');
      return Number(rows[0]?.n);
    },
    async ticketEvents(subject, ticketId) {
      const envelopes: Envelope[] = await testbed.events(subject);
      return envelopes.filter((envelope) => (envelope.data as { id?: string }).id === ticketId);
    },
    async allPages(path, query) {
      const ids: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await request(app)
          .get(path)
          .query(cursor ? { ...query, cursor } : query)
          .expect(200);
        const body = res.body as { items: { id: string }[]; nextCursor: string | null };
        ids.push(...body.items.map((item) => item.id));
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor && pages < 100);
      return { ids, pages };
    },
    async updates(ticketId, count) {
      const found = await waitFor(
        async () => {
          const envelopes = await harness.ticketEvents('ticket.updated', ticketId);
          return envelopes.length >= count ? envelopes : undefined;
        },
        5_000,
        `${count} ticket.updated for ${ticketId}`,
      );
      return found.map((e) => e.data as TicketUpdatedData);
    },
    rowWhen: (ticketId, check, what) =>
      waitFor(
        async () => {
          const row = await harness.row(ticketId);
          return row && check(row) ? row : undefined;
        },
        5_000,
        `ticket ${ticketId} ${what}`,
      ),
    settled: (durable, timeoutMs = 5_000) => testbed.consumerSettled('ORDERS', durable, timeoutMs),
  };
  return harness;
}
