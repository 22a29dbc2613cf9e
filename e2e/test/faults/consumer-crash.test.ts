import { createTestUser, waitFor } from '@glotixz/common/testing';
import { api } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { startSystem, type System } from '../support/system';
import { count, handled, inBatches, listTickets, placeOrder, query, waitForReplica } from './support';

const ORDERS = 60;
const CANCELLED = 30;

/** Messages stored in one of the system's streams. */
async function stored(system: System, stream: 'TICKETS' | 'ORDERS'): Promise<number> {
  return (await system.bus.jsm.streams.info(system.bus.streamName(stream))).state.messages;
}

/**
 * Consumers and relays killed mid-stream (SIGKILL: no shutdown, messages in hand unacked, outbox
 * rows maybe published but not deleted) and restarted: JetStream redelivers, the inbox drops
 * repeats (I2), replicas apply versions in order (I3) and JetStream's msgID drops republished
 * events (I1), so every event is applied exactly once.
 */
describe('consuming services killed mid-stream and restarted', () => {
  let system: System | undefined;

  beforeAll(async () => {
    system = await startSystem({
      services: ['tickets', 'orders', 'payments'],
      // No expiry during the test: every cancellation below is a buyer's.
      env: {
        orders: { EXPIRATION_WINDOW_SECONDS: '600', SWEEP_INTERVAL_SECONDS: '5', SWEEP_GRACE_SECONDS: '4' },
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('applies every event exactly once across the crashes', async () => {
    const sys = system as System;
    const { tickets, orders, payments } = sys.services;
    const { ticketIds } = await listTickets(sys, ORDERS);
    await waitForReplica(sys, ticketIds);
    const buyers = ticketIds.map(() => createTestUser(sys.keys));

    const placing = Promise.all(ticketIds.map((ticketId, i) => placeOrder(sys, buyers[i]!, ticketId)));
    // Tickets and payments die while order.created flows to them, tickets with ticket.updated
    // events of its own in flight.
    await waitFor(
      async () => (await handled(sys.databases.tickets, 'tickets-order-created')) >= 5,
      20_000,
      'tickets to handle a few orders',
    );
    await Promise.all([tickets.kill(), payments.kill()]);
    const placed = await placing;
    expect(placed.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    const ticketsAtCrash = await handled(sys.databases.tickets, 'tickets-order-created');
    await Promise.all([tickets.restart(), payments.restart()]);

    // Orders dies while it applies the ticket.updated events to its replica.
    await waitFor(
      async () => (await handled(sys.databases.orders, 'orders-ticket-updated')) >= 5,
      20_000,
      'orders to apply a few ticket updates',
    );
    await orders.kill();
    await orders.restart();

    // Half the buyers cancel; order.cancelled flows while the earlier redeliveries are pending.
    const cancelled = await inBatches(placed.slice(0, CANCELLED), 25, (res) =>
      api(orders.url, 'POST', `/api/orders/${res.body.id as string}/cancel`, {
        token: buyers[placed.indexOf(res)]!.token,
      }),
    );
    expect(cancelled.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);

    // Unacked messages of a killed consumer come back after its ack wait (30 s).
    const settled = async () =>
      (await handled(sys.databases.tickets, 'tickets-order-created')) === ORDERS &&
      (await handled(sys.databases.tickets, 'tickets-order-cancelled')) === CANCELLED &&
      (await handled(sys.databases.payments, 'payments-order-created')) === ORDERS &&
      (await handled(sys.databases.payments, 'payments-order-cancelled')) === CANCELLED;
    await waitFor(settled, 90_000, 'every order event to be handled by tickets and payments');
    // A ticket.updated the killed orders process held unacked comes back only after JetStream's
    // ack wait (30 s from its delivery), and its successor, retried meanwhile with a backoff capped
    // at 5 s, lands up to 5 s after it: the replicas may need that long to agree.
    await expectInvariants(sys, { timeoutMs: 60_000 });

    // Each event stored once, whatever the relays republished after the crashes.
    expect(await stored(sys, 'ORDERS')).toBe(ORDERS + CANCELLED);
    const [versions] = await query<{ total: number }>(
      sys.databases.tickets,
      'select coalesce(sum(version), 0)::int as total from tickets',
    );
    const updates = versions?.total ?? 0;
    expect(await stored(sys, 'TICKETS')).toBe(ORDERS + updates);
    // Each ticket changed once per event at most: reserved, then freed for a cancelled order.
    expect(
      await count(sys.databases.tickets, 'select count(*)::int as n from tickets where version > 2'),
    ).toBe(0);
    expect(await handled(sys.databases.orders, 'orders-ticket-updated')).toBe(updates);
    expect(
      await count(sys.databases.tickets, 'select count(*)::int as n from tickets where order_id is not null'),
    ).toBe(ORDERS - CANCELLED);
    // Tickets was killed mid-stream, not after the fact.
    expect(ticketsAtCrash).toBeLessThan(ORDERS);
  }, 240_000);
});
