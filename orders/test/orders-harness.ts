import { durableNameFor, type Bus, type Messaging } from '@glotixz/common/bus';
import {
  streamFor,
  type Envelope,
  type EventMap,
  type Subject,
  type TicketCreatedData,
} from '@glotixz/common/events';
import {
  createServiceTestbed,
  ticketCreatedData,
  waitFor,
  type TestKeys,
  type TestUser,
} from '@glotixz/common/testing';
import type { Express } from 'express';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import request from 'supertest';
import { configSchema, type Config } from '../src/config';
import type { OrdersDb } from '../src/db/db';
import { migrationsFolder } from '../src/db/migrate';
import * as schema from '../src/db/schema';
import { createETicketSigner } from '../src/etickets/eticket-signer';
import { ordersConsumers } from '../src/events/consumers';
import { createOrdersMetrics, type OrdersMetrics } from '../src/orders/orders.metrics';
import { ordersService } from '../src/service';

export type { TestUser };

/** A row of the ticket replica, as SQL answers it. */
export interface TicketReplicaRow {
  id: string;
  title: string;
  price: string;
  currency: string;
  user_id: string;
  order_id: string | null;
  status: string;
  event_id: string | null;
  starts_at: Date | null;
  event_name: string | null;
  venue: string | null;
  city: string | null;
  country: string | null;
  timezone: string | null;
  section: string | null;
  row: string | null;
  seat: string | null;
  version: number;
}

/** A row of `orders`, as SQL answers it. */
export interface OrderDbRow {
  id: string;
  user_id: string;
  ticket_id: string;
  status: string;
  cancel_reason: string | null;
  buyer_email: string | null;
  title: string;
  /** bigint, as text. */
  price: string;
  /** bigint, as text. */
  fee: string;
  /** bigint, as text. */
  total: string;
  currency: string;
  section: string | null;
  row: string | null;
  seat: string | null;
  expires_at: Date;
  version: number;
  created_at: Date;
}

/** A fresh e-ticket signing key: the environment orders signs with, and the public key to verify. */
export function eticketTestKeys(kid = 'test-eticket-key'): {
  env: { ETICKET_SIGNING_KEY: string; ETICKET_KEY_ID: string };
  publicKey: KeyObject;
} {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    env: {
      ETICKET_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ETICKET_KEY_ID: kid,
    },
    publicKey,
  };
}

/**
 * A migrated throwaway orders database, the service's messaging on a random bus prefix, an app on
 * both, and a second bus on the same prefix that plays the other services.
 */
export interface OrdersHarness {
  pool: Pool;
  db: OrdersDb;
  keys: TestKeys;
  /** The public part of the key e-tickets are signed with (kid `config.ETICKET_KEY_ID`). */
  eticketPublicKey: KeyObject;
  config: Config;
  app: Express;
  metrics: Registry;
  /** The order counters the app and the consumers move, registered in {@link OrdersHarness.metrics}. */
  ordersMetrics: OrdersMetrics;
  messaging: Messaging;
  /** The other services' side of the bus: publish their events, read ours back. */
  bus: Bus;
  user(): TestUser;
  /** Publishes `ticket.created` (as tickets would) and waits until the replica has it. */
  listTicket(overrides?: Partial<TicketCreatedData>): Promise<TicketCreatedData>;
  /** Publishes an event as its owning service would; answers the envelope. */
  publish<S extends Subject>(subject: S, data: EventMap[S]): Promise<Envelope<S>>;
  /** Publishes the same envelope again under another JetStream msgID: a redelivery. */
  republish(envelope: Envelope): Promise<void>;
  /** Places an order through the API and expects 201. */
  placeOrder(buyer: TestUser, ticketId: string): Promise<{ id: string; [key: string]: unknown }>;
  ticketRow(id: string): Promise<TicketReplicaRow | undefined>;
  orderRow(id: string): Promise<OrderDbRow | undefined>;
  count(table: 'orders' | 'outbox' | 'tickets'): Promise<number>;
  /** Envelopes on the stream for `subject`, oldest first. */
  events<S extends Subject>(subject: S): Promise<Envelope<S>[]>;
  /** Envelopes on the stream for `subject` whose data `id` (or `orderId`) is `id`. */
  eventsFor<S extends Subject>(subject: S, id: string): Promise<Envelope<S>[]>;
  /** Waits until our consumer of `subject` has settled every message on its stream. */
  consumerIdle(subject: Subject): Promise<void>;
  /** Waits until the outbox relay has published everything enqueued so far. */
  outboxDrained(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the harness; `env` overrides the orders configuration. */
export async function startOrdersHarness(env: Record<string, string> = {}): Promise<OrdersHarness> {
  const testbed = await createServiceTestbed({ migrationsFolder, schema, poolSize: 20 });
  const { pool, db, registry } = testbed;
  const eticketKeys = eticketTestKeys();
  const config = configSchema.parse({ ...testbed.env, ...eticketKeys.env, ...env });
  const ordersMetrics = createOrdersMetrics(registry);
  const signer = createETicketSigner({
    signingKey: config.ETICKET_SIGNING_KEY,
    keyId: config.ETICKET_KEY_ID,
  });
  const consumers = ordersConsumers(db, signer, ordersMetrics);
  const messaging = await testbed.startMessaging({ service: 'orders', consumers, outboxPollMs: 200 });
  // The app as the service declares it, on the testbed's dependencies.
  const { app, metrics } = ordersService.createApp({
    config,
    ordersMetrics,
    eticketSigner: signer,
    ...testbed.appDeps(messaging),
  });

  const harness: OrdersHarness = {
    // The testbed's database, keys, bus, users, publishing and close, then the service's own parts.
    ...testbed,
    eticketPublicKey: eticketKeys.publicKey,
    config,
    app,
    metrics,
    ordersMetrics,
    messaging,

    async listTicket(overrides = {}) {
      const data = ticketCreatedData({ title: 'Concert', ...overrides });
      await harness.publish('ticket.created', data);
      await waitFor(() => harness.ticketRow(data.id), 5_000, `ticket ${data.id} in the replica`);
      return data;
    },

    async placeOrder(buyer, ticketId) {
      const res = await request(app)
        .post('/api/orders')
        .set('authorization', buyer.authorization)
        .send({ ticketId })
        .expect(201);
      return res.body;
    },

    async ticketRow(id) {
      const { rows } = await pool.query<TicketReplicaRow>('select * from tickets where id = $1', [id]);
      return rows[0];
    },

    async orderRow(id) {
      const { rows } = await pool.query<OrderDbRow>('select * from orders where id = $1', [id]);
      return rows[0];
    },

    async count(table) {
      const { rows } = await pool.query<{ n: string }>(`select count(*) as n from ${table}`);
      return Number(rows[0]?.n);
    },

    async eventsFor(subject, id) {
      const all = await harness.events(subject);
      return all.filter((envelope) => {
        const data = envelope.data as { id?: string; orderId?: string };
        return data.id === id || data.orderId === id;
      });
    },

    consumerIdle: (subject) => testbed.consumerSettled(streamFor(subject), durableNameFor('orders', subject)),
  };
  return harness;
}
