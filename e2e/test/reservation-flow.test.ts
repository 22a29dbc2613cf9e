import { get } from 'node:http';
import { waitFor } from '@glotixz/common/testing';
import { api, listTicket, signUp } from './support/api';
import { queryRows } from './support/db';
import { expectInvariants } from './support/invariants';
import { startSystem, type System } from './support/system';

/**
 * The reservation flow across auth, tickets, orders and expiration, each a real process on the
 * bus: create → order → expire → ticket available → order again (invariants I4, I5).
 */
describe('reservation flow across the services', () => {
  let system: System;
  let tickets: string;
  let orders: string;

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth', 'tickets', 'orders', 'expiration'],
      // The sweeper may only cancel 4 s after expiry: a cancellation before that is the expiration service's.
      // The buyers poll POST /api/orders until the replica knows the ticket: room for the polls.
      orderLimits: { rateMax: 1_000 },
      env: {
        orders: { EXPIRATION_WINDOW_SECONDS: '2', SWEEP_INTERVAL_SECONDS: '20', SWEEP_GRACE_SECONDS: '4' },
      },
    });
    tickets = system.services.tickets.url;
    orders = system.services.orders.url;
  });
  afterAll(async () => {
    await system?.stop();
  });

  /** Orders knows a ticket once its replica has it; until then it answers 404. */
  async function orderWhenReplicated(ticketId: string, token: string) {
    return waitFor(
      async () => {
        const res = await api(orders, 'POST', '/api/orders', { token, body: { ticketId } });
        return res.status === 404 ? undefined : res;
      },
      10_000,
      'the orders replica to know the ticket',
    );
  }

  it('keeps idle connections longer than the proxies in front do', async () => {
    // Node announces its keep-alive timeout; the mesh and the gateway close idle connections sooner.
    const header = await new Promise<string | undefined>((resolve, reject) => {
      get(`${orders}/healthz`, (res) => {
        res.resume();
        resolve(String(res.headers['keep-alive']));
      }).on('error', reject);
    });
    expect(header).toBe('timeout=65');
  });

  it('creates, reserves, expires, frees and reserves again', async () => {
    const seller = await signUp(system.services.auth.url, 'seller');
    const buyer = await signUp(system.services.auth.url, 'buyer');
    const other = await signUp(system.services.auth.url, 'other');

    const created = await listTicket(tickets, seller.token, {
      title: 'Concert',
      price: 2500,
      currency: 'USD',
    });
    expect(created.status).toBe(201);
    const ticketId = created.body.id as string;

    const first = await orderWhenReplicated(ticketId, buyer.token);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'awaiting_payment',
      ticket: { id: ticketId, title: 'Concert', price: 2500, currency: 'usd' },
    });

    const second = await api(orders, 'POST', '/api/orders', { token: other.token, body: { ticketId } });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('TICKET_RESERVED');

    await waitFor(
      async () => (await api(tickets, 'GET', `/api/tickets/${ticketId}`)).body.orderId === first.body.id,
      10_000,
      'tickets to mark the ticket reserved',
    );

    const cancelled = await waitFor(
      async () => {
        const res = await api(orders, 'GET', `/api/orders/${first.body.id}`, { token: buyer.token });
        return res.body.status === 'cancelled' ? res : undefined;
      },
      10_000,
      'the order to expire',
    );
    const expiresAt = Date.parse(first.body.expiresAt as string);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(Date.now()).toBeLessThan(expiresAt + 4_000);
    expect(cancelled.body.version).toBe(1);

    await waitFor(
      async () => {
        const list = await api(tickets, 'GET', '/api/tickets?limit=100');
        return (list.body.items as { id: string }[]).some((t) => t.id === ticketId);
      },
      10_000,
      'the ticket to be listed as available again',
    );

    // Orders takes only an available ticket: its replica hears of the release just after tickets.
    await waitFor(
      async () =>
        (
          await queryRows<{ status: string }>(
            system.databases.orders,
            'select status from tickets where id = $1',
            [ticketId],
          )
        )[0]?.status === 'available',
      10_000,
      'the orders replica to see the ticket available again',
    );
    const again = await api(orders, 'POST', '/api/orders', { token: other.token, body: { ticketId } });
    expect(again.status).toBe(201);
    await waitFor(
      async () => (await api(tickets, 'GET', `/api/tickets/${ticketId}`)).body.orderId === again.body.id,
      10_000,
      'tickets to mark the ticket reserved by the new order',
    );
    await expectInvariants(system);
  });
});

describe('expiry when the expiry jobs are lost', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      services: ['auth', 'tickets', 'orders', 'expiration'],
      orderLimits: { rateMax: 1_000 },
      env: {
        orders: { EXPIRATION_WINDOW_SECONDS: '3', SWEEP_INTERVAL_SECONDS: '1', SWEEP_GRACE_SECONDS: '1' },
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('cancels the order and frees the ticket after Redis lost the job mid-window', async () => {
    const { auth, tickets, orders } = system.services;
    const seller = await signUp(auth.url, 'seller');
    const buyer = await signUp(auth.url, 'buyer');
    const created = await listTicket(tickets.url, seller.token, { title: 'Play', price: 1200 });
    const ticketId = created.body.id as string;
    const order = await waitFor(
      async () => {
        const res = await api(orders.url, 'POST', '/api/orders', { token: buyer.token, body: { ticketId } });
        return res.status === 201 ? res : undefined;
      },
      10_000,
      'the order to be accepted',
    );
    // Wait until the expiry job exists, then lose it as a Redis failure would.
    await waitFor(
      async () => (await system.redis.keys(`${system.queuePrefix}:*`)).length > 0,
      10_000,
      'the expiry job',
    );
    await system.loseExpiryJobs();

    await waitFor(
      async () => {
        const res = await api(orders.url, 'GET', `/api/orders/${order.body.id}`, { token: buyer.token });
        return res.body.status === 'cancelled';
      },
      3_000 + 30_000,
      'the sweeper to cancel the order',
    );
    await waitFor(
      async () => (await api(tickets.url, 'GET', `/api/tickets/${ticketId}`)).body.orderId === null,
      10_000,
      'the ticket to be free again',
    );
    await expectInvariants(system);
  });
});
