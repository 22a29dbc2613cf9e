import { randomUUID } from 'node:crypto';
import type { TicketCreatedData } from '@glotixz/common/events';
import { readSubject, ticketCreatedData, useHarness, waitFor } from '@glotixz/common/testing';
import { startOrdersHarness } from './orders-harness';

const h = useHarness(startOrdersHarness);

function version(ticket: TicketCreatedData, n: number, changes: Partial<TicketCreatedData> = {}) {
  return { ...ticket, ...changes, version: n };
}

/** Waits until the one unsettled ticket.updated has been delivered and sent back for later. */
async function heldBack() {
  await waitFor(
    async () => {
      const info = await h.bus.jsm.consumers.info(h.bus.streamName('TICKETS'), 'orders-ticket-updated');
      return info.num_pending === 0 && info.num_ack_pending === 1 && info.num_redelivered >= 1;
    },
    5_000,
    'the early update to be delivered and held back',
  );
}

async function replicaAt(id: string, n: number) {
  return waitFor(
    async () => {
      const row = await h.ticketRow(id);
      return row?.version === n && row;
    },
    10_000,
    `ticket ${id} at version ${n}`,
  );
}

describe('ticket.created', () => {
  it('adds the ticket to the replica with every field', async () => {
    const eventId = randomUUID();
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const ticket = await h.listTicket({
      title: 'Jazz trio',
      price: 1999,
      currency: 'gbp',
      eventId,
      startsAt,
      status: 'available',
    });
    expect(await h.ticketRow(ticket.id)).toEqual({
      id: ticket.id,
      title: 'Jazz trio',
      price: '1999',
      currency: 'gbp',
      user_id: ticket.userId,
      order_id: null,
      status: 'available',
      event_id: eventId,
      starts_at: new Date(startsAt),
      event_name: null,
      venue: null,
      city: null,
      country: null,
      timezone: null,
      section: null,
      row: null,
      seat: null,
      version: 0,
    });
  });

  it("keeps the event's details and the seat the event carries, for the e-ticket", async () => {
    const eventId = randomUUID();
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const event = {
      id: eventId,
      name: 'Jazz trio',
      venue: 'Ronnie Scott’s',
      city: 'London',
      country: 'GB',
      timezone: 'Europe/London',
      startsAt,
    };
    const ticket = await h.listTicket({
      title: 'Jazz trio · Row F, Seat 7',
      eventId,
      startsAt,
      status: 'available',
      event,
      seat: { section: null, row: 'F', seat: '7' },
    });
    expect(await h.ticketRow(ticket.id)).toMatchObject({
      event_name: 'Jazz trio',
      venue: 'Ronnie Scott’s',
      city: 'London',
      country: 'GB',
      timezone: 'Europe/London',
      section: null,
      row: 'F',
      seat: '7',
    });

    // A later version moves the seat and the event's venue; an older one arriving after is ignored.
    await h.publish('ticket.updated', {
      ...ticket,
      title: 'Jazz trio · Section A, Row G, Seat 8',
      event: { ...event, venue: 'Jazz Cafe' },
      seat: { section: 'A', row: 'G', seat: '8' },
      version: 1,
    });
    await replicaAt(ticket.id, 1);
    await h.publish('ticket.updated', { ...ticket, seat: { section: 'Z', row: 'Z', seat: 'Z' }, version: 1 });
    await h.consumerIdle('ticket.updated');
    expect(await h.ticketRow(ticket.id)).toMatchObject({
      venue: 'Jazz Cafe',
      section: 'A',
      row: 'G',
      seat: '8',
      version: 1,
    });
  });

  it('keeps a ticket published before listings had events with no event and the status its order implies', async () => {
    const free = await h.listTicket({ title: 'Old listing' });
    const held = await h.listTicket({ title: 'Old held listing', orderId: randomUUID() });

    expect(await h.ticketRow(free.id)).toMatchObject({
      title: 'Old listing',
      status: 'available',
      event_id: null,
      starts_at: null,
      version: 0,
    });
    expect(await h.ticketRow(held.id)).toMatchObject({ status: 'reserved', event_id: null, starts_at: null });
  });

  it('ignores a redelivery and a repeat, keeping the first copy', async () => {
    const ticket = await h.listTicket({ title: 'First' });
    const [first] = await h
      .events('ticket.created')
      .then((all) => all.filter((e) => e.data.id === ticket.id));
    await h.republish(first!);
    await h.publish('ticket.created', { ...ticket, title: 'Repeat' });
    await h.consumerIdle('ticket.created');

    expect(await h.ticketRow(ticket.id)).toMatchObject({ title: 'First', version: 0 });
    expect(await h.count('tickets')).toBeGreaterThan(0);
    expect(await readSubject(h.bus, 'deadletter.orders-ticket-created')).toEqual([]);
  });
});

describe('ticket.updated (I3: applied in version order)', () => {
  it('applies v1 then v2 delivered in order', async () => {
    const ticket = await h.listTicket();
    await h.publish('ticket.updated', version(ticket, 1, { title: 'Renamed' }));
    await h.publish(
      'ticket.updated',
      version(ticket, 2, { title: 'Renamed', price: 3000, orderId: randomUUID() }),
    );

    const row = await replicaAt(ticket.id, 2);
    expect(row).toMatchObject({ title: 'Renamed', price: '3000', order_id: expect.any(String) });
  });

  it('ends at the right version and values when v2 arrives before v1 and v1 is delivered again', async () => {
    const ticket = await h.listTicket({ title: 'v0', price: 1000 });
    const orderId = randomUUID();

    await h.publish('ticket.updated', version(ticket, 2, { title: 'v2', price: 1200, orderId }));
    await heldBack();
    expect(await h.ticketRow(ticket.id)).toMatchObject({ title: 'v0', version: 0 });

    const v1 = await h.publish('ticket.updated', version(ticket, 1, { title: 'v1', price: 1100 }));
    await h.republish(v1);
    await h.publish('ticket.updated', version(ticket, 1, { title: 'stale v1 again', price: 1 }));

    await replicaAt(ticket.id, 2);
    await h.consumerIdle('ticket.updated');
    expect(await h.ticketRow(ticket.id)).toMatchObject({
      title: 'v2',
      price: '1200',
      order_id: orderId,
      version: 2,
    });
    expect(await readSubject(h.bus, 'deadletter.orders-ticket-updated')).toEqual([]);
  });

  it('acks an older version as already seen without touching the replica', async () => {
    const ticket = await h.listTicket();
    await h.publish('ticket.updated', version(ticket, 1, { title: 'v1' }));
    await h.publish('ticket.updated', version(ticket, 2, { title: 'v2', orderId: null }));
    await replicaAt(ticket.id, 2);

    await h.publish('ticket.updated', version(ticket, 1, { title: 'late v1' }));
    await h.consumerIdle('ticket.updated');

    expect(await h.ticketRow(ticket.id)).toMatchObject({ title: 'v2', version: 2 });
  });

  it('applies status and start changes in version order when they arrive out of order', async () => {
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const movedTo = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const ticket = await h.listTicket({ eventId: randomUUID(), startsAt, status: 'available' });

    // Taken down (v1), then put back on sale after the event moved (v2): v2 arrives first.
    await h.publish('ticket.updated', version(ticket, 2, { status: 'available', startsAt: movedTo }));
    await heldBack();
    expect(await h.ticketRow(ticket.id)).toMatchObject({ status: 'available', version: 0 });
    await h.publish('ticket.updated', version(ticket, 1, { status: 'unlisted' }));

    await replicaAt(ticket.id, 2);
    await h.consumerIdle('ticket.updated');
    expect(await h.ticketRow(ticket.id)).toMatchObject({
      status: 'available',
      event_id: ticket.eventId,
      starts_at: new Date(movedTo),
      version: 2,
    });

    await h.publish('ticket.updated', version(ticket, 3, { status: 'closed', startsAt: movedTo }));
    await h.publish('ticket.updated', version(ticket, 2, { status: 'unlisted' }));
    await replicaAt(ticket.id, 3);
    await h.consumerIdle('ticket.updated');
    expect(await h.ticketRow(ticket.id)).toMatchObject({ status: 'closed', version: 3 });
    expect(await readSubject(h.bus, 'deadletter.orders-ticket-updated')).toEqual([]);
  });

  it('takes the status an update published before listings had one implies from its order', async () => {
    const ticket = await h.listTicket();
    await h.publish('ticket.updated', version(ticket, 1, { orderId: randomUUID() }));
    expect(await replicaAt(ticket.id, 1)).toMatchObject({ status: 'reserved', starts_at: null });
    await h.publish('ticket.updated', version(ticket, 2, { orderId: null }));
    expect(await replicaAt(ticket.id, 2)).toMatchObject({ status: 'available', order_id: null });
  });

  it('waits for ticket.created when an update for an unknown ticket arrives first', async () => {
    const ticket = ticketCreatedData({ title: 'Early bird', price: 500 });
    await h.publish('ticket.updated', version(ticket, 1, { title: 'Updated early bird' }));
    await heldBack();
    expect(await h.ticketRow(ticket.id)).toBeUndefined();

    await h.publish('ticket.created', ticket);

    expect(await replicaAt(ticket.id, 1)).toMatchObject({ title: 'Updated early bird' });
  });
});
