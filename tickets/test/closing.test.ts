import { useHarness, waitFor } from '@glotixz/common/testing';
import pino from 'pino';
import request from 'supertest';
import { bootService } from '@glotixz/common/service';
import { createEventCloser, type EventCloser } from '../src/catalog/event-closer';
import { ticketsService } from '../src/service';
import type { Ticket } from '../src/tickets/tickets.schemas';
import {
  orderCreated,
  orderSettled,
  startTicketsHarness,
  ticketEventData,
  type TestUser,
} from './tickets-harness';

let seller: TestUser;
const h = useHarness(startTicketsHarness);
const logger = pino({ level: 'silent' });
const closers: EventCloser[] = [];
beforeAll(() => {
  seller = h.user();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.stop()));
});

function startCloser(intervalMs = 100): EventCloser {
  const closer = createEventCloser({ db: h.db, logger, intervalMs, batchSize: 2 });
  closers.push(closer);
  closer.start();
  return closer;
}

const eventRow = async (id: string) =>
  (await h.pool.query<{ closed_at: Date | null }>('select closed_at from events where id = $1', [id]))
    .rows[0];

describe('the closing job', () => {
  it('closes the listings on sale when their event starts, leaves a reserved one to its order, and closes that one on release', async () => {
    const event = await h.createEvent(seller, { startsAt: new Date(Date.now() + 2_000).toISOString() });
    const listings: Ticket[] = [];
    for (let i = 0; i < 5; i++)
      listings.push(await h.createTicket(seller, { eventId: event.id, price: 1_000 + i }));
    const [held, takenDown, ...onSale] = listings as [Ticket, Ticket, ...Ticket[]];
    const order = orderCreated(held);
    await h.publish('order.created', order);
    await h.rowWhen(held.id, (r) => r.status === 'reserved', 'reserved');
    await request(h.app)
      .delete(`/api/tickets/${takenDown.id}`)
      .set('authorization', seller.authorization)
      .expect(200);
    // A listing of another event, later, stays on sale.
    const other = await h.createTicket(seller);

    startCloser();
    for (const ticket of onSale) {
      await h.rowWhen(ticket.id, (r) => r.status === 'closed', 'closed');
    }
    // None closed before the start.
    const early = await h.pool.query(
      "select id from tickets where event_id = $1 and status = 'closed' and updated_at < $2",
      [event.id, event.startsAt],
    );
    expect(early.rows).toEqual([]);
    for (const ticket of onSale) {
      expect(await h.row(ticket.id)).toMatchObject({ status: 'closed', version: 1 });
      expect(await h.updates(ticket.id, 1)).toEqual([
        { ...ticketEventData(ticket), status: 'closed', version: 1 },
      ]);
    }
    expect(await h.row(held.id)).toMatchObject({ status: 'reserved', order_id: order.id, version: 1 });
    expect(await h.row(takenDown.id)).toMatchObject({ status: 'unlisted', version: 1 });
    expect(await h.row(other.id)).toMatchObject({ status: 'available', version: 0 });
    await waitFor(
      async () => (await eventRow(event.id))?.closed_at !== null,
      5_000,
      'the event marked closed',
    );

    // The event page shows nothing on sale; the listing search no longer lists the event.
    const shown = await request(h.app).get(`/api/events/${event.id}`).expect(200);
    expect(shown.body).toMatchObject({ available: 0, lowestPrice: null });
    const listed = await request(h.app).get('/api/tickets').query({ eventId: event.id }).expect(200);
    expect(listed.body.items).toEqual([]);

    // The held listing's order is cancelled after the start: the listing closes instead of going back on sale.
    await h.publish('order.cancelled', orderSettled(held.id, order.id));
    const released = await h.rowWhen(held.id, (r) => r.version === 2, 'released');
    expect(released).toMatchObject({ status: 'closed', order_id: null });
    const [, last] = await h.updates(held.id, 2);
    expect(last).toMatchObject({ status: 'closed', orderId: null, version: 2 });
  });

  it('closes each listing once with two replicas running, one version and one event each', async () => {
    const event = await h.createEvent(seller, { startsAt: new Date(Date.now() + 1_000).toISOString() });
    const listings: Ticket[] = [];
    for (let i = 0; i < 7; i++)
      listings.push(await h.createTicket(seller, { eventId: event.id, price: 2_000 + i }));
    startCloser(50);
    startCloser(50);
    for (const ticket of listings) await h.rowWhen(ticket.id, (r) => r.status === 'closed', 'closed');
    // A few more passes of both, which must find nothing left to close.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const ticket of listings) {
      expect((await h.row(ticket.id))?.version).toBe(1);
      await h.updates(ticket.id, 1);
      expect(await h.ticketEvents('ticket.updated', ticket.id)).toHaveLength(1);
    }
  });

  it('closes a listing created just as its event started, in a later pass', async () => {
    const ticket = await h.createTicket(seller);
    await h.startEvent(ticket.eventId);
    const closer = createEventCloser({ db: h.db, logger, intervalMs: 60_000 });
    expect(await closer.closeOnce()).toBeGreaterThanOrEqual(1);
    expect(await h.row(ticket.id)).toMatchObject({ status: 'closed', version: 1 });
    // A second pass has nothing of it left to close.
    await closer.closeOnce();
    expect(await h.row(ticket.id)).toMatchObject({ status: 'closed', version: 1 });
  });

  it('runs as a task of the service declaration, every EVENT_CLOSE_INTERVAL_SECONDS', async () => {
    const closers: { name: string; close: () => Promise<unknown> }[] = [];
    const config = { ...h.config, EVENT_CLOSE_INTERVAL_SECONDS: 1 };
    const booted = await bootService(ticketsService, {
      config,
      logger,
      lifecycle: { onShutdown: (name, close) => void closers.push({ name, close }) },
    });
    try {
      expect(Object.keys(booted.tasks)).toContain('event-closer');
      const event = await h.createEvent(seller, { startsAt: new Date(Date.now() + 1_000).toISOString() });
      const ticket = await h.createTicket(seller, { eventId: event.id });
      await h.rowWhen(ticket.id, (r) => r.status === 'closed', 'closed by the declared task');
    } finally {
      for (const { close } of closers.reverse()) await close();
    }
  });
});
