import { randomUUID } from 'node:crypto';
import type { DeadLetter } from '@glotixz/common/bus';
import { createEnvelope, orderCreatedSubject } from '@glotixz/common/events';
import { createTestUser, readSubject, waitFor } from '@glotixz/common/testing';
import { api } from '../support/api';
import { expectInvariants } from '../support/invariants';
import { startSystem, type System } from '../support/system';
import { listTickets, placeOrder, waitForReplica } from './support';

/** The dead letters one consumer wrote, oldest first. */
async function deadLetters(system: System, durable: string): Promise<DeadLetter[]> {
  return (await readSubject(system.bus, `deadletter.${durable}`)).map((m) => m.data as DeadLetter);
}

/**
 * Poison on the bus: a message that is not JSON, one that breaks its contract, and one whose
 * handler fails on every delivery. Each consumer gives up on it (at once, or after its bounded
 * retries), writes it to `deadletter.<durable>` with the reason (I2), and keeps handling the
 * traffic behind it.
 */
describe('poison messages on the bus', () => {
  let system: System | undefined;

  beforeAll(async () => {
    system = await startSystem({
      services: ['tickets', 'orders', 'expiration'],
      env: {
        orders: { EXPIRATION_WINDOW_SECONDS: '600', SWEEP_INTERVAL_SECONDS: '5', SWEEP_GRACE_SECONDS: '4' },
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('dead-letters each poison message with its reason while the orders behind it go through', async () => {
    const sys = system as System;
    const malformedId = randomUUID();
    await sys.bus.publishRaw(orderCreatedSubject, '{"id": "not json', { msgID: malformedId });
    await sys.bus.publishRaw(
      'ticket.created',
      JSON.stringify({ id: randomUUID(), subject: 'ticket.created' }),
      {
        msgID: randomUUID(),
      },
    );
    // A well-formed order for a ticket tickets never listed: its handler fails every time.
    const orphan = createEnvelope(orderCreatedSubject, {
      id: randomUUID(),
      status: 'awaiting_payment',
      userId: randomUUID(),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      version: 0,
      ticket: { id: randomUUID(), title: 'Concert', price: 1000, currency: 'usd' },
    });
    await sys.bus.publish(orphan);

    // Ordinary traffic right behind the poison.
    const { ticketIds } = await listTickets(sys, 1);
    await waitForReplica(sys, ticketIds);
    const ticketId = ticketIds[0]!;
    const buyer = createTestUser(sys.keys);
    const order = await placeOrder(sys, buyer, ticketId);
    expect(order.status).toBe(201);
    const orderId = order.body.id as string;
    await waitFor(
      async () =>
        (await api(sys.services.tickets.url, 'GET', `/api/tickets/${ticketId}`)).body.orderId === orderId,
      20_000,
      'tickets to reserve the ticket of the normal order',
    );
    await waitFor(
      async () => (await sys.redis.exists(`${sys.queuePrefix}:order-expiration:${orderId}`)) === 1,
      20_000,
      'expiration to schedule the normal order',
    );

    // Not JSON: every consumer of the subject gives up at once.
    for (const durable of ['tickets-order-created', 'expiration-order-created']) {
      await waitFor(
        async () => (await deadLetters(sys, durable)).length > 0,
        20_000,
        `${durable} to dead-letter`,
      );
    }
    const [expirationLetter] = await deadLetters(sys, 'expiration-order-created');
    expect(expirationLetter).toMatchObject({
      reason: 'invalid',
      consumer: 'expiration-order-created',
      subject: orderCreatedSubject,
      deliveries: 1,
      payload: '{"id": "not json',
    });
    expect(expirationLetter?.error).toMatch(/invalid JSON/);
    // Breaks the ticket.created contract: orders gives up at once.
    await waitFor(
      async () => (await deadLetters(sys, 'orders-ticket-created')).length === 1,
      20_000,
      'orders to dead-letter the invalid ticket.created',
    );
    expect((await deadLetters(sys, 'orders-ticket-created'))[0]).toMatchObject({
      reason: 'invalid',
      subject: 'ticket.created',
    });
    // Fails on every delivery: tickets retries it with backoff, then gives up after five deliveries.
    await waitFor(
      async () => (await deadLetters(sys, 'tickets-order-created')).length === 2,
      30_000,
      'tickets to dead-letter the order for an unknown ticket',
    );
    const ticketLetters = await deadLetters(sys, 'tickets-order-created');
    expect(ticketLetters[0]).toMatchObject({ reason: 'invalid', deliveries: 1 });
    expect(ticketLetters[1]).toMatchObject({ reason: 'failed', deliveries: 5 });
    expect(ticketLetters[1]?.error).toMatch(/does not exist/);
    expect(JSON.parse(ticketLetters[1]!.payload)).toMatchObject({ id: orphan.id });

    // Traffic after the dead letters flows too: the normal buyer cancels and the ticket is freed.
    const cancelled = await api(sys.services.orders.url, 'POST', `/api/orders/${orderId}/cancel`, {
      token: buyer.token,
    });
    expect(cancelled.status).toBe(200);
    await waitFor(
      async () =>
        (await api(sys.services.tickets.url, 'GET', `/api/tickets/${ticketId}`)).body.orderId === null,
      20_000,
      'tickets to free the ticket',
    );
    await expectInvariants(sys, { deadLetters: 4 });
  }, 90_000);
});
