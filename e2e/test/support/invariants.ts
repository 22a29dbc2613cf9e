import { sleep } from '@glotixz/common/testing';
import { queryRows } from './db';
import type { System } from './system';

/** Options of {@link checkInvariants}. */
export interface InvariantOptions {
  /** Dead-lettered messages the scenario expects (a poison message); default 0. */
  deadLetters?: number;
}

interface OrderRow {
  id: string;
  ticket_id: string;
  status: string;
  version: number;
  title: string;
  /** bigint, as text. */
  price: string;
  /** What the buyer pays (price + fee), as text; the price for orders from before fees. */
  total: string;
  currency: string;
}

/**
 * Reads every database of the system and answers the broken invariants, one line each (empty when
 * all hold). Cross-service checks compare what each service owns with the replicas the others keep,
 * so they only hold once the bus has settled: use {@link expectInvariants}, which waits for that.
 *
 * - I4: no ticket has two live (not cancelled) orders.
 * - I5: no unpaid order is live 30 s past its expiry.
 * - I1: every outbox is empty: all events were published.
 * - tickets agrees with orders: a live order holds its ticket, a held ticket's order is live, a
 *   sold ticket's order is complete; the orders replica of each ticket has the ticket's version
 *   and status.
 * - I6: payments' replica of each order has the order's status; no succeeded payment belongs to a
 *   cancelled order (it must be refunded); every complete order has a succeeded payment; a refunded
 *   payment never belongs to a complete order.
 * - I8: an order's terms are what everyone else holds it at: every payment of an order charges
 *   the order's own total (price + fee) in its currency, payments' replica of the order has that
 *   amount, and a
 *   ticket held by an order records that order's title, price and currency as its held terms.
 * - I10: every ledger transaction in payments sums to zero per currency.
 * - I9: a ticket is admitted at most once (one admission row per ticket), and only a sold one.
 * - No message was dead-lettered, unless the scenario expects some.
 */
export async function checkInvariants(system: System, options: InvariantOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const { auth, tickets, orders, payments } = system.databases;

  for (const [name, url] of Object.entries({ auth, tickets, orders, payments })) {
    if (!url || name === 'auth') continue;
    const [row] = await queryRows<{ n: number }>(url, 'select count(*)::int as n from outbox');
    if (row && row.n > 0) problems.push(`${name}: ${row.n} events still in the outbox`);
  }

  let orderRows: OrderRow[] = [];
  if (orders) {
    orderRows = await queryRows<OrderRow>(
      orders,
      // `total` read through to_jsonb: orders from before fees have no such column (total = price).
      `select id, ticket_id, status, version, title, price, currency,
              coalesce(to_jsonb(orders) ->> 'total', price::text) as total from orders`,
    );
    const doubles = await queryRows<{ ticket_id: string; n: number }>(
      orders,
      `select ticket_id, count(*)::int as n from orders where status in ('awaiting_payment', 'complete')
       group by ticket_id having count(*) > 1`,
    );
    for (const d of doubles) problems.push(`I4: ticket ${d.ticket_id} has ${d.n} live orders`);
    const overdue = await queryRows<{ id: string }>(
      orders,
      `select id from orders where status = 'awaiting_payment' and expires_at < now() - interval '30 seconds'`,
    );
    for (const o of overdue) problems.push(`I5: order ${o.id} is still awaiting payment 30 s after expiry`);
  }
  const orderById = new Map(orderRows.map((o) => [o.id, o]));

  if (tickets && orders) {
    const ticketRows = await queryRows<{
      id: string;
      order_id: string | null;
      sold: boolean;
      status: string;
      version: number;
      held_title: string | null;
      held_price: number | null;
      held_currency: string | null;
    }>(
      tickets,
      `select id, order_id, sold_at is not null as sold, status, version, held_title, held_price,
              trim(held_currency) as held_currency
         from tickets`,
    );
    const ticketById = new Map(ticketRows.map((t) => [t.id, t]));
    for (const t of ticketRows) {
      if (t.order_id === null) continue;
      const order = orderById.get(t.order_id);
      if (!order) problems.push(`ticket ${t.id} is held by order ${t.order_id}, which orders does not know`);
      else if (order.status === 'cancelled')
        problems.push(`ticket ${t.id} is held by cancelled order ${order.id}`);
      // A refunded order holding its ticket was complete: the ticket stays sold (void at the door).
      else if (t.sold !== (order.status === 'complete' || order.status === 'refunded'))
        problems.push(`ticket ${t.id} sold=${t.sold} but its order ${order.id} is ${order.status}`);
      if (
        order &&
        (t.held_title !== order.title ||
          String(t.held_price) !== order.price ||
          t.held_currency !== order.currency)
      )
        problems.push(
          `I8: ticket ${t.id} is held at ${t.held_title} ${t.held_price} ${t.held_currency}, ` +
            `its order ${order.id} at ${order.title} ${order.price} ${order.currency}`,
        );
    }
    for (const o of orderRows) {
      if (o.status === 'cancelled' || o.status === 'refunded') continue;
      const ticket = ticketById.get(o.ticket_id);
      if (ticket?.order_id !== o.id)
        problems.push(`live order ${o.id} does not hold its ticket ${o.ticket_id} in tickets`);
    }
    const replica = await queryRows<{ id: string; version: number; status: string }>(
      orders,
      'select id, version, status from tickets',
    );
    for (const r of replica) {
      const source = ticketById.get(r.id);
      if (source && source.version !== r.version)
        problems.push(
          `orders' replica of ticket ${r.id} is at version ${r.version}, tickets at ${source.version}`,
        );
      else if (source && source.status !== r.status)
        problems.push(`orders' replica of ticket ${r.id} is ${r.status}, tickets says ${source.status}`);
    }
  }

  if (tickets) {
    const admitted = await queryRows<{ ticket_id: string; n: number; sold: boolean | null }>(
      tickets,
      `select a.ticket_id, count(*)::int as n, bool_and(t.sold_at is not null) as sold
         from admissions a left join tickets t on t.id = a.ticket_id
        group by a.ticket_id having count(*) > 1 or not bool_and(t.sold_at is not null)`,
    );
    for (const a of admitted) {
      problems.push(
        a.n > 1
          ? `I9: ticket ${a.ticket_id} was admitted ${a.n} times`
          : `I9: ticket ${a.ticket_id} was admitted unsold`,
      );
    }
  }

  if (payments && orders) {
    const replica = await queryRows<{ id: string; status: string; amount: string; currency: string }>(
      payments,
      'select id, status, amount, currency from orders',
    );
    for (const r of replica) {
      const source = orderById.get(r.id);
      // Orders marks an order refunded from complete or cancelled; payments' copy keeps the status before.
      const agrees =
        source?.status === r.status ||
        (source?.status === 'refunded' && (r.status === 'complete' || r.status === 'cancelled'));
      if (source && !agrees)
        problems.push(`payments' replica of order ${r.id} is ${r.status}, orders says ${source.status}`);
      if (source && (r.amount !== source.total || r.currency !== source.currency))
        problems.push(
          `I8: payments holds order ${r.id} at ${r.amount} ${r.currency}, orders at ${source.total} ${source.currency}`,
        );
    }
    const charged = await queryRows<{ order_id: string; amount: string; currency: string }>(
      payments,
      'select order_id, amount, currency from payments',
    );
    for (const p of charged) {
      const order = orderById.get(p.order_id);
      if (order && (p.amount !== order.total || p.currency !== order.currency))
        problems.push(
          `I8: the payment of order ${p.order_id} is for ${p.amount} ${p.currency}, the order's total is ${order.total} ${order.currency}`,
        );
    }
    const unbalanced = await queryRows<{ transaction_id: string; currency: string; total: string }>(
      payments,
      `select transaction_id, currency, sum(amount)::text as total from ledger_entries
       group by transaction_id, currency having sum(amount) <> 0`,
    );
    for (const u of unbalanced)
      problems.push(`I10: ledger transaction ${u.transaction_id} sums to ${u.total} ${u.currency}`);
    const paid = await queryRows<{ order_id: string; status: string }>(
      payments,
      `select order_id, status from payments where status in ('succeeded', 'refund_pending', 'refunded')`,
    );
    const succeededFor = new Set(paid.filter((p) => p.status === 'succeeded').map((p) => p.order_id));
    for (const p of paid) {
      const order = orderById.get(p.order_id);
      if (p.status !== 'refunded' && order?.status === 'cancelled')
        problems.push(`I6: order ${p.order_id} is cancelled but its payment is ${p.status}, not refunded`);
      if (p.status === 'refunded' && order?.status === 'complete')
        problems.push(`I6: order ${p.order_id} is complete but its payment was refunded`);
      if (p.status === 'succeeded' && order?.status === 'refunded')
        problems.push(`I6: order ${p.order_id} is refunded but its payment is still succeeded`);
    }
    for (const o of orderRows) {
      if (o.status === 'complete' && !succeededFor.has(o.id))
        problems.push(`I6: order ${o.id} is complete without a succeeded payment`);
    }
  }

  const deadLetters = await system.bus.jsm.streams.info(system.bus.streamName('DEADLETTER'));
  const expected = options.deadLetters ?? 0;
  if (deadLetters.state.messages !== expected)
    problems.push(`${deadLetters.state.messages} messages dead-lettered, expected ${expected}`);

  return problems;
}

/**
 * Waits (up to `timeoutMs`) until every invariant of {@link checkInvariants} holds, and fails with
 * the ones still broken when it runs out.
 */
export async function expectInvariants(
  system: System,
  options: InvariantOptions & { timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const problems = await checkInvariants(system, options);
    if (problems.length === 0) return;
    if (Date.now() > deadline) throw new Error(`invariants broken:\n  - ${problems.join('\n  - ')}`);
    // Each check opens a connection per database: poll gently.
    await sleep(250);
  }
}
