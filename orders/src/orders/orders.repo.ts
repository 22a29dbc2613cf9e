import { enqueue, enqueueInStatement } from '@glotixz/common/bus';
import {
  orderCancelledSubject,
  orderCompletedSubject,
  orderCreatedSubject,
  type FeeSchedule,
  type OrderCancelledData,
  type TicketStatus,
} from '@glotixz/common/events';
import type { PageCursor } from '@glotixz/common/express';
import { and, desc, eq, fillPlaceholders, inArray, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { escapeLiteral, type Pool, type PoolClient, type QueryResult } from 'pg';
import type { OrdersDb, OrdersExecutor, OrdersTx } from '../db/db';
import { orderAttempts, orders, tickets, type CancelReason, type OrderRow } from '../db/schema';
import type { ETicketSigner } from '../etickets/eticket-signer';
import { eticketsRepo } from '../etickets/etickets.repo';
import { ticketsRepo } from '../tickets/tickets.repo';
import { maxOrderTotal, platformFeeSql } from './order-fees';

/**
 * The one row of the statement that places an order, as the driver answers it (timestamps as
 * text): what it found about the buyer and the ticket, and the order's columns when it inserted one.
 */
interface PlaceRow extends Record<string, unknown> {
  /** This attempt's count in the buyer's rate window, and the seconds until the window ends. */
  attempts: number;
  attempts_reset_in: number;
  /** The `order.created` envelope the statement enqueued, when it placed the order. */
  envelope: unknown;
  ticket_found: boolean;
  own_ticket: boolean | null;
  ticket_status: TicketStatus | null;
  event_started: boolean | null;
  /** The ticket's price plus the fee, as text (numeric): when above the maximum, nothing was inserted. */
  ticket_total: string | null;
  ticket_currency: string | null;
  /** The status of the ticket's live (not cancelled) order, anyone's. */
  live_status: OrderRow['status'] | null;
  holds: number;
  cooldown_seconds: number | null;
  id: string | null;
  user_id: string;
  ticket_id: string;
  status: OrderRow['status'];
  cancel_reason: OrderRow['cancelReason'];
  buyer_email: string | null;
  title: string;
  price: string | number;
  fee: string | number;
  total: string | number;
  currency: string;
  section: string | null;
  row: string | null;
  seat: string | null;
  expires_at: string | Date;
  version: number;
  created_at: string | Date;
  updated_at: string | Date;
}

/** What a buyer asks for and the rules the placement applies. */
export interface PlaceInput {
  userId: string;
  /** The buyer's email, printed on the e-ticket; null when the token's is not a valid address. */
  buyerEmail: string | null;
  ticketId: string;
  /** How long the order reserves the ticket. */
  windowSeconds: number;
  /** Live holds (orders awaiting payment) a buyer may have. */
  maxHolds: number;
  /** How long after an order of this buyer for this ticket was cancelled they may hold it again. */
  cooldownSeconds: number;
  /** The platform fee schedule the order's fee is computed with. */
  feeSchedule: FeeSchedule;
}

/**
 * Why a ticket cannot be ordered by anyone: it is sold, its event has started (or it closed), an
 * order holds it, or its seller took it down.
 */
export type Unavailability = 'sold' | 'event-started' | 'reserved' | 'unlisted';

/** The placement rate limit: `max` attempts per buyer in a fixed window of `windowSeconds`. */
export interface AttemptLimit {
  max: number;
  windowSeconds: number;
}

/** The outcome of {@link ordersRepo.placeAwaitingPayment}. */
export type PlaceOutcome =
  | { status: 'placed'; order: OrderRow }
  /** The buyer attempted more than `max` placements in the window (this attempt counted). */
  | { status: 'rate-limited'; retryAfterSeconds: number }
  /** The replica has no such ticket. */
  | { status: 'ticket-unseen' }
  | { status: 'own-ticket' }
  | { status: 'unavailable'; reason: Unavailability }
  /** The ticket's price plus the fee is more than Stripe charges at once. */
  | { status: 'total-too-large'; total: number; currency: string }
  | { status: 'cooldown'; retryAfterSeconds: number }
  | { status: 'hold-limit'; holds: number };

/**
 * Why the placing statement inserted nothing, from what it read, most final first: a sale (the
 * replica's, or the ticket's complete order) and the event's start outlast a hold or a take-down.
 */
function unavailability(row: PlaceRow): Unavailability | null {
  if (row.ticket_status === 'sold' || row.live_status === 'complete') return 'sold';
  if (row.ticket_status === 'closed' || row.event_started) return 'event-started';
  if (row.ticket_status === 'reserved' || row.live_status === 'awaiting_payment') return 'reserved';
  if (row.ticket_status === 'unlisted') return 'unlisted';
  return null;
}

/**
 * The namespace of the per-buyer placement locks (the first key of the two-key advisory lock,
 * which never meets the one-key locks of migrations and the outbox relay). Any constant works.
 */
const buyerLockNamespace = 410_811;

function seconds(value: number): SQL {
  return sql`make_interval(secs => ${value}::double precision)`;
}

/** The order's terms (I8) as `order.created` and `order.completed` carry them. */
function orderTerms(order: OrderRow) {
  const { ticketId: id, title, price, fee, total, currency } = order;
  return { id, title, price, fee, total, currency };
}

/** The `data` of `order.cancelled` for `order`, just cancelled for `reason`. */
function orderCancelledData(order: OrderRow, reason: CancelReason): OrderCancelledData {
  return {
    id: order.id,
    version: order.version,
    ticket: { id: order.ticketId, title: order.title },
    userId: order.userId,
    reason,
  };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `begin` and the buyer's placement lock, to open the simple-protocol query that places an order.
 * That protocol takes no parameters, so the id goes in as a literal, after checking it is a UUID
 * (it comes from a verified token, whose claims are checked as UUIDs already).
 */
function beginLockingBuyer(userId: string): string {
  if (!uuidPattern.test(userId)) throw new Error('the buyer id is not a UUID');
  return `begin; select pg_advisory_xact_lock(${buyerLockNamespace}, hashtext('${userId}'))`;
}

const dialect = new PgDialect();

/**
 * A statement compiled once: its text, prepared under `name` on each connection (Postgres parses
 * and plans it once there instead of on every call), and its parameters, placeholders among them.
 */
interface Compiled {
  name: string;
  text: string;
  params: unknown[];
}

let compiledCount = 0;

function compile(statement: SQL): Compiled {
  const { sql: text, params } = dialect.sqlToQuery(statement);
  compiledCount += 1;
  return { name: `orders_${compiledCount}`, text, params };
}

async function runCompiled<R extends Record<string, unknown>>(
  client: PoolClient,
  compiled: Compiled,
  values: Record<string, unknown>,
): Promise<R[]> {
  const { name, text, params } = compiled;
  const { rows } = await client.query<R>({ name, text, values: fillPlaceholders(params, values) });
  return rows;
}

/** The statements each connection has prepared with SQL `PREPARE`, by name. */
const preparedOn = new WeakMap<PoolClient, Set<string>>();

/** Prepares `compiled` on `client` with SQL `PREPARE`, unless that connection did already. */
async function prepareOnce(client: PoolClient, compiled: Compiled): Promise<void> {
  let prepared = preparedOn.get(client);
  if (!prepared) {
    prepared = new Set();
    preparedOn.set(client, prepared);
  }
  if (prepared.has(compiled.name)) return;
  await client.query(`prepare ${compiled.name} as ${compiled.text}`);
  prepared.add(compiled.name);
}

/** A value as a SQL literal, for an `EXECUTE`: only the kinds the placing statement binds. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return escapeLiteral(value);
  throw new Error(`cannot bind ${typeof value} as a literal`);
}

/**
 * Runs `compiled`, prepared with SQL `PREPARE`, as `EXECUTE name(literals…)` after the statements
 * in `before` (if any), all in one simple-protocol query: one round trip for all of them (the extended
 * protocol would take one per statement), and the plan prepared once per connection all the same.
 * Answers the rows of `compiled`.
 */
async function executeAfter<R extends Record<string, unknown>>(
  client: PoolClient,
  before: string,
  compiled: Compiled,
  values: Record<string, unknown>,
): Promise<R[]> {
  await prepareOnce(client, compiled);
  const args = fillPlaceholders(compiled.params, values).map(literal).join(', ');
  const execute = `execute ${compiled.name}(${args})`;
  const results = (await client.query(before ? `${before}; ${execute}` : execute)) as unknown as
    QueryResult<R>[] | QueryResult<R>;
  const last = Array.isArray(results) ? results.at(-1) : results;
  return last?.rows ?? [];
}

const ticketExistsStatement = compile(
  sql`select 1 from ${tickets} where id = ${sql.placeholder('ticket_id')}::uuid`,
);

async function ticketExists(client: PoolClient, ticketId: string): Promise<boolean> {
  const rows = await runCompiled(client, ticketExistsStatement, { ticket_id: ticketId });
  return rows.length > 0;
}

/** An instant as `toISOString` writes it, in SQL. */
function isoSql(column: SQL): SQL {
  return sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * The data of `order.created` for the order the placing statement inserted (`placed`), with the
 * seller and event of the ticket it read (`ticket`): the order's terms (I8).
 */
const orderCreatedDataSql = sql`jsonb_build_object(
    'id', placed.id, 'status', placed.status, 'userId', placed.user_id,
    'expiresAt', ${isoSql(sql`placed.expires_at`)}, 'version', placed.version,
    'ticket', jsonb_build_object('id', placed.ticket_id, 'title', placed.title, 'price', placed.price,
                                 'fee', placed.fee, 'total', placed.total, 'currency', placed.currency))
  || case when ticket.user_id is null then '{}'::jsonb
          else jsonb_build_object('sellerId', ticket.user_id) end
  || case when ticket.event_id is null or ticket.starts_at is null then '{}'::jsonb
          else jsonb_build_object('event', jsonb_build_object('id', ticket.event_id,
                                                              'startsAt', ${isoSql(sql`ticket.starts_at`)})) end`;

const orderCreatedQueue = enqueueInStatement(orderCreatedSubject, {
  data: orderCreatedDataSql,
  from: sql`placed cross join ticket`,
});

/** The placing statement of a service's rules; the buyer, the ticket and the event are placeholders. */
function placingStatement(rules: PlaceInput, limit: AttemptLimit): SQL {
  const userId = sql.placeholder('user_id');
  const ticketId = sql.placeholder('ticket_id');
  const cooldown = seconds(rules.cooldownSeconds);
  return sql`
      with attempt as (
        insert into ${orderAttempts} as a (user_id, hits, reset_at)
        values (${userId}::uuid, ${sql.placeholder('hits')}::int, now() + ${seconds(limit.windowSeconds)})
        on conflict (user_id) do update
          set hits = case when a.reset_at <= now() then excluded.hits else a.hits + excluded.hits end,
              reset_at = case when a.reset_at <= now() then excluded.reset_at else a.reset_at end
        returning hits, ceil(extract(epoch from reset_at - now()))::int as reset_in
      ), ticket as (
        select id, title, price, currency, section, row, seat, status, user_id, event_id, starts_at,
               user_id = ${userId}::uuid as own,
               coalesce(starts_at <= statement_timestamp(), false) as started,
               amounts.fee, price + amounts.fee as total
        from ${tickets}
        cross join lateral (select ${platformFeeSql(sql`price`, sql`currency`, rules.feeSchedule)} as fee) amounts
        where id = ${ticketId}::uuid
      ), live as (
        select status from ${orders}
        where ticket_id = ${ticketId}::uuid and status in ('awaiting_payment', 'complete')
      ), holds as (
        select count(*)::int as n from ${orders}
        where user_id = ${userId}::uuid and status = 'awaiting_payment'
      ), earlier as (
        select max(updated_at) filter (where status = 'cancelled') + ${cooldown} as cooldown_until
        from ${orders}
        where ticket_id = ${ticketId}::uuid and user_id = ${userId}::uuid
      ), placed as (
        insert into ${orders} (user_id, buyer_email, ticket_id, status, title, price, fee, total,
                               currency, section, row, seat, expires_at)
        select ${userId}::uuid, ${sql.placeholder('buyer_email')}::text, ticket.id, 'awaiting_payment',
               ticket.title, ticket.price, ticket.fee::bigint, ticket.total::bigint, ticket.currency,
               ticket.section, ticket.row, ticket.seat, now() + ${seconds(rules.windowSeconds)}
        from ticket, holds, earlier, attempt
        where attempt.hits <= ${limit.max}
          and not ticket.own
          and ticket.status = 'available'
          and not ticket.started
          and ticket.total <= ${maxOrderTotal}
          and not exists (select 1 from live)
          and holds.n < ${rules.maxHolds}
          and (earlier.cooldown_until is null or earlier.cooldown_until <= now())
        returning id, user_id, ticket_id, status, cancel_reason, buyer_email, title, price, fee,
                  total, currency, section, row, seat, expires_at, version, created_at, updated_at
      ), queued as (${orderCreatedQueue.insert})
      select attempt.hits as attempts,
             attempt.reset_in as attempts_reset_in,
             exists (select 1 from ticket) as ticket_found,
             (select own from ticket) as own_ticket,
             (select status from ticket) as ticket_status,
             (select started from ticket) as event_started,
             (select total::text from ticket) as ticket_total,
             (select currency from ticket) as ticket_currency,
             (select status from live limit 1) as live_status,
             holds.n as holds,
             case when earlier.cooldown_until > now()
                  then ceil(extract(epoch from earlier.cooldown_until - now()))::int end as cooldown_seconds,
             (select envelope from queued) as envelope,
             ${orderCreatedQueue.notify('queued')} as notified,
             placed.*
      from holds cross join earlier cross join attempt left join placed on true`;
}

/**
 * The placing statements compiled so far, by fee schedule and then by the other rules: one per
 * service's settings, compiled on its first placement.
 */
const placings = new WeakMap<FeeSchedule, Map<string, Compiled>>();

function placingFor(rules: PlaceInput, limit: AttemptLimit): Compiled {
  let byRules = placings.get(rules.feeSchedule);
  if (!byRules) {
    byRules = new Map();
    placings.set(rules.feeSchedule, byRules);
  }
  const key = [
    rules.windowSeconds,
    rules.maxHolds,
    rules.cooldownSeconds,
    limit.max,
    limit.windowSeconds,
  ].join('/');
  let compiled = byRules.get(key);
  if (!compiled) {
    compiled = compile(placingStatement(rules, limit));
    byRules.set(key, compiled);
  }
  return compiled;
}

/**
 * Runs the placing statement (see {@link ordersRepo.placeAwaitingPayment}) on `client`, after
 * the statements in `before` in the same round trip, and answers its outcome; `count` says
 * whether it counts as a new attempt.
 */
async function runPlacing(
  client: PoolClient,
  before: string,
  input: PlaceInput,
  limit: AttemptLimit,
  count: boolean,
): Promise<PlaceOutcome> {
  const [row] = await executeAfter<PlaceRow>(client, before, placingFor(input, limit), {
    user_id: input.userId,
    ticket_id: input.ticketId,
    buyer_email: input.buyerEmail,
    hits: count ? 1 : 0,
    ...orderCreatedQueue.values(),
  });
  if (!row) throw new Error('the placing statement answered no row');
  if (row.id === null) {
    if (row.attempts > limit.max) {
      return { status: 'rate-limited', retryAfterSeconds: Math.max(1, row.attempts_reset_in) };
    }
    if (!row.ticket_found) return { status: 'ticket-unseen' };
    if (row.own_ticket) return { status: 'own-ticket' };
    const reason = unavailability(row);
    if (reason !== null) return { status: 'unavailable', reason };
    if (row.ticket_total !== null && Number(row.ticket_total) > maxOrderTotal) {
      return {
        status: 'total-too-large',
        total: Number(row.ticket_total),
        currency: row.ticket_currency ?? '',
      };
    }
    if (row.cooldown_seconds !== null) {
      return { status: 'cooldown', retryAfterSeconds: Math.max(1, row.cooldown_seconds) };
    }
    return { status: 'hold-limit', holds: row.holds };
  }
  orderCreatedQueue.check(row.envelope);
  const order: OrderRow = {
    id: row.id,
    userId: row.user_id,
    ticketId: row.ticket_id,
    status: row.status,
    cancelReason: row.cancel_reason,
    buyerEmail: row.buyer_email,
    title: row.title,
    price: Number(row.price),
    fee: Number(row.fee),
    total: Number(row.total),
    currency: row.currency,
    section: row.section,
    row: row.row,
    seat: row.seat,
    expiresAt: new Date(row.expires_at),
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
  return { status: 'placed', order };
}

/**
 * Data access for orders. Every status change is one conditional UPDATE that enqueues its event
 * in the caller's transaction (I1), so a change and its event are written together or not at all,
 * and two racing changes (buyer, expiry, payment, sweeper) can never both apply.
 */
export const ordersRepo = {
  /**
   * Places an order awaiting payment for `ticketId` that expires `windowSeconds` from now
   * (database clock), with its `order.created` in the outbox (I1), unless the rate limit, the
   * ticket or the buyer's rules refuse it. Runs its own transaction on a connection of `pool`, in
   * two round trips: `begin`, the buyer's lock and the placing statement in one, then `commit`.
   *
   * The buyer's lock makes their placements run one at a time. The hold cap counts the buyer's
   * live orders and then inserts one: two placements by the same buyer counting side by side
   * would both see room for one more. A transaction-scoped advisory lock per buyer, taken before
   * counting, serialises them; the placing statement is the next statement (of the same query
   * message) and starts after it, so its snapshot holds every earlier placement of this buyer
   * committed (a lock taken inside the statement would come after its snapshot). Chosen over a counter row per buyer because it needs no bookkeeping that every
   * cancel, expiry and payment would have to keep in step (the count is the orders themselves),
   * it only serialises one buyer's own requests, and it is released by commit, rollback or a
   * dropped connection alike.
   *
   * The placing statement counts the attempt toward the buyer's rate (`limit`; a refused attempt
   * counts too, so the transaction commits on refusals as well) and, within the limit, reads the
   * replica's ticket, which the insert copies: its title, price and currency into the order, with
   * the fee and total computed from that price (see {@link platformFeeSql}): the order's terms
   * (I8), fixed from then on whatever the seller edits. A total above {@link maxOrderTotal}
   * inserts nothing. It inserts only for a ticket that is another seller's, `available`, and
   * whose event has not started by this statement's clock, so a ticket whose closing has not
   * reached the replica yet is refused all the same; the statement answers what it read, which
   * says why it inserted nothing. The same statement counts the buyer's live holds (at most
   * `maxHolds`) and reads the buyer's earlier orders for this ticket: one cancelled within
   * `cooldownSeconds` refuses the hold. The order it inserts is enqueued as `order.created` by
   * the same statement (with its `NOTIFY`), from the very row and ticket it read; the envelope is
   * validated before the commit.
   *
   * A live order for the ticket that the statement sees refuses it as well (reserved, or sold when
   * complete). That keeps the cool-down exact when the buyer's own live order is being cancelled
   * right now: this statement saw it live, so it inserts nothing, rather than waiting on the unique
   * index for the cancellation and then holding the ticket at once. A rival's order committed after
   * the statement's snapshot makes the insert fail with a unique violation of
   * `orders_ticket_id_live_unique` (I4), which rolls the transaction back and is thrown; the
   * attempt is then counted on its own ({@link ordersRepo.countAttempt}).
   * @throws EventContractError when the event would break its contract (nothing is written).
   */
  async placeAwaitingPayment(pool: Pool, input: PlaceInput, limit: AttemptLimit): Promise<PlaceOutcome> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      try {
        let outcome = await runPlacing(client, beginLockingBuyer(input.userId), input, limit, true);
        // Only on this error path: is the ticket still missing? It may have reached the replica
        // between the two reads: then place it now (the attempt counted once already).
        if (outcome.status === 'ticket-unseen' && (await ticketExists(client, input.ticketId))) {
          outcome = await runPlacing(client, '', input, limit, false);
        }
        await client.query('commit');
        return outcome;
      } catch (err) {
        await client.query('rollback').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw err;
      }
    } finally {
      // A connection whose rollback failed is in an unknown state: the pool drops it.
      client.release(broken);
    }
  },

  /**
   * Counts one placement attempt by `userId` in its fixed window of `windowSeconds` (started by
   * the first attempt) and answers the attempts so far, including this one, and the seconds until
   * the window ends. One upsert, so concurrent attempts on any replica are each counted once.
   */
  async countAttempt(
    db: OrdersExecutor,
    userId: string,
    windowSeconds: number,
  ): Promise<{ hits: number; resetInSeconds: number }> {
    const { rows } = await db.execute<{ hits: number; reset_in: number }>(sql`
      insert into ${orderAttempts} as a (user_id, hits, reset_at)
      values (${userId}::uuid, 1, now() + ${seconds(windowSeconds)})
      on conflict (user_id) do update
        set hits = case when a.reset_at <= now() then 1 else a.hits + 1 end,
            reset_at = case when a.reset_at <= now() then excluded.reset_at else a.reset_at end
      returning hits, ceil(extract(epoch from reset_at - now()))::int as reset_in`);
    const [row] = rows;
    if (!row) throw new Error('the order_attempts upsert answered no row');
    return { hits: Number(row.hits), resetInSeconds: Math.max(1, Number(row.reset_in)) };
  },

  /**
   * Cancels the order if it is still awaiting payment (and belongs to `userId`, when given) for
   * `reason`: version + 1 and `order.cancelled`. `null` when nothing changed.
   */
  async cancelAwaitingPayment(
    tx: OrdersTx,
    id: string,
    reason: CancelReason,
    userId?: string,
  ): Promise<OrderRow | null> {
    const [order] = await tx
      .update(orders)
      .set({
        status: 'cancelled',
        cancelReason: reason,
        version: sql`${orders.version} + 1`,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(orders.id, id),
          eq(orders.status, 'awaiting_payment'),
          userId === undefined ? undefined : eq(orders.userId, userId),
        ),
      )
      .returning();
    if (!order) return null;
    await enqueue(tx, orderCancelledSubject, orderCancelledData(order, reason));
    return order;
  },

  /**
   * Completes the order if it is still awaiting payment: version + 1, its e-ticket minted (see
   * {@link eticketsRepo.mint}) and `order.completed` carrying the order's terms, the buyer, the
   * seller and the e-ticket, all in the caller's transaction (I1).
   */
  async completeAwaitingPayment(tx: OrdersTx, id: string, signer: ETicketSigner): Promise<OrderRow | null> {
    const [order] = await tx
      .update(orders)
      .set({ status: 'complete', version: sql`${orders.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(orders.id, id), eq(orders.status, 'awaiting_payment')))
      .returning();
    if (!order) return null;
    // orders.ticket_id references the replica, so the ticket is there.
    const ticket = await ticketsRepo.findById(tx, order.ticketId);
    if (!ticket) throw new Error(`ticket ${order.ticketId} of order ${order.id} is not in the replica`);
    const eticket = await eticketsRepo.mint(tx, signer, order, ticket);
    await enqueue(tx, orderCompletedSubject, {
      id: order.id,
      version: order.version,
      ticket: orderTerms(order),
      userId: order.userId,
      sellerId: ticket.userId,
      ...(eticket ? { eticket } : {}),
    });
    return order;
  },

  /**
   * Marks a paid order refunded (payments refunded its charge): from `complete` (its e-ticket is
   * void from then on) or `cancelled` (a late payment refunded, I6), version + 1. Nothing is
   * published: tickets and notifications learn of the refund from `payment.refunded` itself, and a
   * refunded order never changes again. `null` when nothing changed (already refunded, unknown, or
   * still awaiting payment, which payments never refunds).
   */
  async markRefunded(tx: OrdersTx, id: string): Promise<OrderRow | null> {
    const [order] = await tx
      .update(orders)
      .set({ status: 'refunded', version: sql`${orders.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(orders.id, id), inArray(orders.status, ['complete', 'cancelled'])))
      .returning();
    return order ?? null;
  },

  /**
   * Cancels up to `batchSize` orders still awaiting payment whose `expiresAt` passed more than
   * `graceSeconds` ago, as expired, each with version + 1 and `order.cancelled`, in one transaction. Rows
   * another transaction holds (a replica's sweep, an expiry or payment in flight) are skipped and
   * re-read under lock, so each order is cancelled once. Answers how many it cancelled.
   */
  async cancelOverdue(db: OrdersDb, options: { graceSeconds: number; batchSize: number }): Promise<number> {
    return db.transaction(async (tx) => {
      const due = await tx
        .select({ id: orders.id })
        .from(orders)
        .where(
          and(
            eq(orders.status, 'awaiting_payment'),
            sql`${orders.expiresAt} < now() - ${seconds(options.graceSeconds)}`,
          ),
        )
        .orderBy(orders.expiresAt)
        .limit(options.batchSize)
        .for('update', { skipLocked: true });
      if (due.length === 0) return 0;
      const cancelled = await tx
        .update(orders)
        .set({
          status: 'cancelled',
          cancelReason: 'expired',
          version: sql`${orders.version} + 1`,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            inArray(
              orders.id,
              due.map((row) => row.id),
            ),
            eq(orders.status, 'awaiting_payment'),
          ),
        )
        .returning();
      for (const order of cancelled) {
        await enqueue(tx, orderCancelledSubject, orderCancelledData(order, 'expired'));
      }
      return cancelled.length;
    });
  },

  /** The order `id` if it belongs to `userId`. */
  async findOwned(db: OrdersExecutor, id: string, userId: string): Promise<OrderRow | null> {
    const [row] = await db
      .select()
      .from(orders)
      .where(and(eq(orders.id, id), eq(orders.userId, userId)))
      .limit(1);
    return row ?? null;
  },

  /** Up to `limit` of the user's orders, newest first, strictly after `after` when given. */
  async listOwned(
    db: OrdersExecutor,
    userId: string,
    options: { limit: number; after?: PageCursor },
  ): Promise<OrderRow[]> {
    const { after } = options;
    return db
      .select()
      .from(orders)
      .where(
        and(
          eq(orders.userId, userId),
          after
            ? sql`(${orders.createdAt}, ${orders.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(desc(orders.createdAt), desc(orders.id))
      .limit(options.limit);
  },
};

export type OrdersRepo = typeof ordersRepo;
