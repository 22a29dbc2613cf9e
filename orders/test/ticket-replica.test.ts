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
    const ticket = await h.listTicket({ title: 'Jazz trio', price: 1999, currency: 'gbp' });
    expect(await h.ticketRow(ticket.id)).toEqual({
      id: ticket.id,
      title: 'Jazz trio',
      price: '1999',
      currency: 'gbp',
      user_id: ticket.userId,
      order_id: null,
      version: 0,
    });
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

  it('waits for ticket.created when an update for an unknown ticket arrives first', async () => {
    const ticket = ticketCreatedData({ title: 'Early bird', price: 500 });
    await h.publish('ticket.updated', version(ticket, 1, { title: 'Updated early bird' }));
    await heldBack();
    expect(await h.ticketRow(ticket.id)).toBeUndefined();

    await h.publish('ticket.created', ticket);

    expect(await replicaAt(ticket.id, 1)).toMatchObject({ title: 'Updated early bird' });
  });
});
