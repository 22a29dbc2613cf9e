import { createTestUser, waitFor, type TestUser } from '@glotixz/common/testing';
import { api, listTicket } from '../support/api';
import { countRows, queryRows } from '../support/db';
import { expectInvariants } from '../support/invariants';
import { burst, type BurstResult } from '../support/load';
import { startSystem, type System } from '../support/system';

/**
 * A flash sale through the gateway: every buyer's POST /api/orders is in flight at once, each
 * buyer a distinct user with a token minted from auth's keys. The partial unique index alone
 * decides (I4): exactly one winner per ticket, every loser a clean 409, no 5xx and no dropped
 * connection anywhere between the client, the gateway, orders and Postgres.
 */
describe('flash sale through the gateway', () => {
  /** Connections the buyers' side opens at most; the rest queue in the agent. */
  const MAX_SOCKETS = 1000;
  let system: System;
  let gateway: string;
  let seller: TestUser;

  beforeAll(async () => {
    system = await startSystem({
      services: ['tickets', 'orders'],
      gateway: true,
      // Every buyer here connects from 127.0.0.1: one address, a thousand clients.
      env: { gateway: { GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: String(MAX_SOCKETS * 2) } },
    });
    if (!system.gateway) throw new Error('no gateway');
    gateway = system.gateway.url;
    seller = createTestUser(system.keys);
  });
  afterAll(async () => {
    await system?.stop();
  });

  /** Lists `count` tickets and waits until the orders replica knows every one. */
  async function listTickets(count: number): Promise<string[]> {
    const created = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        listTicket(gateway, seller.token, { title: `Flash sale seat ${i + 1}`, price: 5000 }),
      ),
    );
    for (const res of created) expect(res.status).toBe(201);
    const ids = created.map((res) => res.body.id as string);
    await waitFor(
      async () => (await countRows(system.databases.orders, 'tickets', 'id = any($1)', [ids])) === count,
      30_000,
      'the orders replica to know every ticket',
    );
    return ids;
  }

  function buyers(count: number): TestUser[] {
    return Array.from({ length: count }, () => createTestUser(system.keys));
  }

  function order(buyer: TestUser, ticketId: string) {
    return {
      method: 'POST',
      path: '/api/orders',
      headers: { authorization: buyer.authorization },
      body: { ticketId },
    };
  }

  /** Fails with the whole tally when anything but 201s and 409 TICKET_RESERVED came back. */
  function expectOnlyWinnersAndLosers(result: BurstResult, winners: number, total: number): void {
    const tally = { statuses: result.statuses, codes: result.codes, errors: result.errors };
    expect(tally).toEqual({
      statuses: { '201': winners, '409': total - winners },
      codes: { '409 TICKET_RESERVED': total - winners },
      errors: {},
    });
  }

  it('lets exactly one of 1,000 concurrent buyers reserve a single ticket', async () => {
    const [ticketId] = await listTickets(1);
    if (!ticketId) throw new Error('no ticket');

    const result = await burst(
      gateway,
      buyers(1000).map((buyer) => order(buyer, ticketId)),
      { maxSockets: MAX_SOCKETS },
    );

    expectOnlyWinnersAndLosers(result, 1, 1000);
    const winner = result.outcomes.find((o) => o.status === 201);
    expect(winner?.body).toMatchObject({ status: 'awaiting_payment', ticket: { id: ticketId } });
    const rows = await queryRows<{ id: string; user_id: string }>(
      system.databases.orders,
      'select id, user_id from orders where ticket_id = $1',
      [ticketId],
    );
    expect(rows).toEqual([{ id: winner?.body.id, user_id: winner?.body.userId }]);
    await waitFor(
      async () => (await api(gateway, 'GET', `/api/tickets/${ticketId}`)).body.orderId === winner?.body.id,
      30_000,
      'tickets to mark the ticket reserved by the winning order',
    );
    await expectInvariants(system);
  });

  it('sells each of 100 tickets exactly once to 2,000 concurrent buyers', async () => {
    const ticketIds = await listTickets(100);
    const requests = buyers(2000).map((buyer, i) => order(buyer, ticketIds[i % ticketIds.length] as string));

    const result = await burst(gateway, requests, { maxSockets: MAX_SOCKETS });

    expectOnlyWinnersAndLosers(result, 100, 2000);
    const won = result.outcomes.filter((o) => o.status === 201).map((o) => o.body.ticket.id as string);
    expect(new Set(won).size).toBe(100);
    const perTicket = await queryRows<{ ticket_id: string; n: number }>(
      system.databases.orders,
      'select ticket_id, count(*)::int as n from orders where ticket_id = any($1) group by ticket_id',
      [ticketIds],
    );
    expect(perTicket).toHaveLength(100);
    expect(perTicket.every((row) => row.n === 1)).toBe(true);
    await waitFor(
      async () =>
        (await countRows(system.databases.tickets, 'tickets', 'id = any($1) and order_id is not null', [
          ticketIds,
        ])) === 100,
      30_000,
      'tickets to mark every ticket reserved',
    );
    await expectInvariants(system);
  });
});
