import { randomUUID } from 'node:crypto';
import { createTestUser } from '@glotixz/common/testing';
import { Client } from 'pg';
import { listTicket } from './support/api';
import { checkInvariants, expectInvariants } from './support/invariants';
import { startSystem, type System } from './support/system';

/** Runs one statement on a database of the system. */
async function exec(url: string, sql: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/**
 * The invariant checker the fault and load scenarios end with must itself be able to fail: each
 * broken state below, written straight into a database, has to be reported.
 */
describe('the invariant checker', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem({
      services: ['tickets', 'orders'],
      // No sweeps during the test: an overdue order has to stay overdue.
      env: { orders: { SWEEP_INTERVAL_SECONDS: '20', SWEEP_GRACE_SECONDS: '5' } },
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('passes on a settled system and reports each broken invariant', async () => {
    const seller = createTestUser(system.keys);
    const buyer = createTestUser(system.keys);
    const created = await listTicket(system.services.tickets.url, seller.token, {
      title: 'Checked',
      price: 900,
    });
    expect(created.status).toBe(201);
    const ticketId = created.body.id as string;
    const another = await listTicket(system.services.tickets.url, seller.token, {
      title: 'Repriced',
      price: 900,
    });
    const anotherId = another.body.id as string;
    await expectInvariants(system);
    const orders = system.databases.orders!;
    const tickets = system.databases.tickets!;

    // A live order the tickets service never heard of, overdue by an hour.
    const orderId = randomUUID();
    await exec(
      orders,
      `insert into orders (id, user_id, ticket_id, status, title, price, fee, total, currency, expires_at)
       values ($1, $2, $3, 'awaiting_payment', 'Checked', 900, 0, 900, 'usd', now() - interval '1 hour')`,
      [orderId, buyer.id, ticketId],
    );
    // A ticket held by an order nobody knows, and an event stuck in an outbox.
    await exec(
      tickets,
      `update tickets set order_id = $1, status = 'reserved', held_title = title, held_price = price, held_currency = currency where id = $2`,
      [randomUUID(), ticketId],
    );
    await exec(
      tickets,
      `insert into outbox (id, subject, envelope, next_attempt_at) values ($1, 'ticket.updated', '{}', now() + interval '1 hour')`,
      [randomUUID()],
    );

    // An order placed at 9.00 whose ticket says it is held at 0.01 (I8).
    const heldOrderId = randomUUID();
    await exec(
      orders,
      `insert into orders (id, user_id, ticket_id, status, title, price, fee, total, currency, expires_at)
       values ($1, $2, $3, 'awaiting_payment', 'Repriced', 900, 0, 900, 'usd', now() + interval '1 hour')`,
      [heldOrderId, buyer.id, anotherId],
    );
    await exec(
      tickets,
      `update tickets set order_id = $1, status = 'reserved', held_title = title, held_price = 1, held_currency = currency where id = $2`,
      [heldOrderId, anotherId],
    );

    // Orders' replica of a ticket at the ticket's version, but with another status.
    await exec(orders, `update tickets set status = 'unlisted' where id = $1`, [anotherId]);

    const problems = await checkInvariants(system);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`I5: order ${orderId}`),
        expect.stringContaining(`live order ${orderId} does not hold its ticket`),
        expect.stringContaining('which orders does not know'),
        'tickets: 1 events still in the outbox',
        expect.stringContaining(
          `I8: ticket ${anotherId} is held at Repriced 1 usd, its order ${heldOrderId}`,
        ),
        `orders' replica of ticket ${anotherId} is unlisted, tickets says reserved`,
      ]),
    );
    await expect(expectInvariants(system, { timeoutMs: 300 })).rejects.toThrow(/invariants broken/);
    expect(await checkInvariants(system, { deadLetters: 1 })).toEqual(
      expect.arrayContaining(['0 messages dead-lettered, expected 1']),
    );

    // Undo it so the system stops cleanly.
    await exec(tickets, 'delete from outbox');
  });
});
