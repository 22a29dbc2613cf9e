import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { DbTransaction } from '../db/pool';
import { lockVersion } from '../db/versioned-rows';
import type { Envelope, EventMap, Subject } from '../events';
import { backoffDelay, type BackoffOptions } from './backoff';
import type {
  BatchEntry,
  BatchEntryOutcome,
  BatchHandler,
  ConsumeOptions,
  EventHandler,
  MessageContext,
} from './consumer.types';
import { recordOnce, type HandleOnceResult } from './inbox';
import { inbox } from './outbox.schema';
import { RetryLater } from './retry-later.error';

/**
 * How a consumer orders the events it applies.
 * - `'version'`: the event updates a replica of an aggregate that carries a `version` (+1 per
 *   change, I3). The library applies version n only on top of n-1: an older or equal version is
 *   acked as already seen without running the handler, a newer one is redelivered later
 *   ({@link RetryLater}, {@link predecessorBackoff}) until its predecessor has been applied. Use it
 *   for every event that changes an existing aggregate (`*.updated`, `order.cancelled`, ...).
 * - `'none'`: the handler decides on its own; for events that create an aggregate (version 0,
 *   written with an insert that ignores a repeat) or that carry no aggregate version at all.
 */
export type ConsumerOrder = 'version' | 'none';

/** Limits of the delivery loop a declaration may change; see {@link ConsumeOptions}. */
export type ConsumerLimits = Partial<
  Pick<
    ConsumeOptions<Subject>,
    'maxDeliver' | 'retryLaterLimitMs' | 'backoff' | 'ackWaitMs' | 'prefetch' | 'maxBatch'
  >
>;

interface DeclarationBase<S extends Subject, T> {
  /** The one subject consumed; the durable name is derived from it and the service. */
  subject: S;
  /**
   * Runs once the handler's transaction committed, and only then: not for a duplicate, nor for a
   * version already seen. For what must not be rolled back with the transaction (metrics, waking
   * a worker). It must not fail: an error is logged and the message stays acked.
   */
  afterCommit?: (result: T, data: EventMap[S], context: MessageContext) => void | Promise<void>;
  /** Overrides of the delivery limits. */
  limits?: ConsumerLimits;
}

/** A consumer of a service with a database: the handler runs in the inbox transaction (I2). */
export type TransactionalConsumer<S extends Subject, TTx, T> = DeclarationBase<S, T> & {
  /**
   * Applies the event with `tx`, the transaction that also records it in the inbox: its writes
   * and the inbox row commit together or not at all. Return to have the message acked; throw
   * {@link RetryLater} to have it redelivered after a delay; throw anything else to have it
   * retried with backoff and finally dead-lettered.
   */
  handle(tx: TTx, data: EventMap[S], context: MessageContext): Promise<T>;
} & (
    | { order: 'none' }
    | {
        order: 'version';
        /**
         * The replica table of the aggregate: a table with `id` and `version` columns. The library
         * reads the version its row `data.id` holds inside `tx` with a row lock ({@link lockVersion}),
         * so that nothing moves it before the handler writes. The event's data must carry `id`
         * and `version`.
         */
        replica: PgTable;
      }
  );

/**
 * A consumer of a service without a database: there is no inbox, so `handle` must be idempotent
 * by itself (e.g. a job keyed by the event), and may call `context.markDuplicate()` when it finds
 * its effect already there. Otherwise the same declaration as {@link TransactionalConsumer}.
 */
export type PlainConsumer<S extends Subject, T> = DeclarationBase<S, T> & {
  order: 'none';
  handle(data: EventMap[S], context: MessageContext): Promise<T>;
  /**
   * Handles the events that arrived together (up to `limits.maxBatch`) at once, e.g. with one
   * round trip to where their effects go, and answers one result per entry, in order. It must be
   * all or nothing as `handle` is idempotent: when it throws, each event is handled again on its
   * own by `handle`. Each entry's `within` runs a function in that event's trace context.
   */
  handleBatch?: (entries: readonly PlainBatchEntry<S>[]) => Promise<T[]>;
};

/** One event of a {@link PlainConsumer}'s `handleBatch`. */
export interface PlainBatchEntry<S extends Subject> {
  data: EventMap[S];
  context: MessageContext;
  within: <R>(fn: () => Promise<R>) => Promise<R>;
}

/**
 * One row of a service's consumer table, ready for `startMessaging({ consumers })`: the subject,
 * the durable name and the handler that does what the declaration asked.
 */
export type ConsumerSpec<S extends Subject = Subject> = ConsumeOptions<S>;

/**
 * The delay before an event whose predecessor is missing is tried again, by delivery: 250 ms
 * doubling up to 5 s (then every 5 s, until the consumer's `retryLaterLimitMs`).
 */
export const predecessorBackoff: BackoffOptions = { baseMs: 250, capMs: 5_000 };

/**
 * The durable consumer name of `service` for `subject`: `<service>-<subject with dots as dashes>`,
 * e.g. `orders-ticket-updated`. It is the consumer's position in JetStream and its inbox key, so
 * it must never change for a deployed consumer.
 */
export function durableNameFor(service: string, subject: Subject): string {
  return `${service}-${subject.replaceAll('.', '-')}`;
}

/** Declares the consumers of a service with a database; see {@link consumerTable}. */
export type DeclareTransactional<TTx> = <S extends Subject, T = void>(
  declaration: TransactionalConsumer<S, TTx, T>,
) => ConsumerSpec<NoInfer<S>>;

/** Declares the consumers of a service without a database; see {@link consumerTable}. */
export type DeclarePlain = <S extends Subject, T = void>(
  declaration: PlainConsumer<S, T>,
) => ConsumerSpec<NoInfer<S>>;

/** What the handler's transaction answered: applied (with the handler's result) or already seen. */
type Applied<T> = { applied: true; result: T } | { applied: false; current: number };

/**
 * The I3 check of an `order: 'version'` consumer, inside the inbox transaction: `'apply'` when
 * the replica holds version n-1, the version it holds when that is n or later; throws
 * {@link RetryLater} (rolling the inbox row back too) while the predecessor is missing.
 */
function checkPredecessor(
  current: number | null,
  subject: Subject,
  data: { id: string; version: number },
  context: MessageContext,
): 'apply' | number {
  if (current !== null && current >= data.version) return current;
  if ((current ?? -1) === data.version - 1) return 'apply';
  throw new RetryLater(
    backoffDelay(context.deliveryCount, predecessorBackoff),
    `${subject} ${data.id} v${data.version} arrived before v${data.version - 1}`,
  );
}

function versionOf(subject: Subject, data: unknown): { id: string; version: number } {
  const { id, version } = (data ?? {}) as { id?: unknown; version?: unknown };
  if (typeof id !== 'string' || typeof version !== 'number') {
    throw new Error(`an order: 'version' consumer of ${subject} needs data with an id and a version`);
  }
  return { id, version };
}

async function runAfterCommit<S extends Subject, T>(
  declaration: DeclarationBase<S, T>,
  result: T,
  data: EventMap[S],
  context: MessageContext,
): Promise<void> {
  try {
    await declaration.afterCommit?.(result, data, context);
  } catch (err) {
    context.logger.error({ err }, 'afterCommit failed; the event stays handled');
  }
}

/**
 * Applies an event already recorded in the inbox with `tx`, in version order for an
 * `order: 'version'` declaration (I3).
 */
async function applyRecorded<S extends Subject, TSchema extends Record<string, unknown>, T>(
  tx: DbTransaction<TSchema>,
  declaration: TransactionalConsumer<S, DbTransaction<TSchema>, T>,
  data: EventMap[S],
  context: MessageContext,
): Promise<Applied<T>> {
  if (declaration.order === 'version') {
    const aggregate = versionOf(declaration.subject, data);
    const current = await lockVersion(tx, declaration.replica, aggregate.id);
    const decision = checkPredecessor(current, declaration.subject, aggregate, context);
    if (decision !== 'apply') return { applied: false, current: decision };
  }
  return { applied: true, result: await declaration.handle(tx, data, context) };
}

/** Records the event in the inbox and applies it with `tx` (I2, and I3 for `order: 'version'`). */
function applyOnce<S extends Subject, TSchema extends Record<string, unknown>, T>(
  tx: DbTransaction<TSchema>,
  declaration: TransactionalConsumer<S, DbTransaction<TSchema>, T>,
  envelope: Envelope<S>,
  context: MessageContext,
): Promise<HandleOnceResult<Applied<T>>> {
  return recordOnce(tx, context.consumer, envelope, (inner) =>
    applyRecorded(inner, declaration, envelope.data, context),
  );
}

/** After the commit: marks a duplicate, or runs `afterCommit` for an event that was applied. */
async function afterApplied<S extends Subject, T>(
  declaration: DeclarationBase<S, T>,
  outcome: HandleOnceResult<Applied<T>>,
  data: EventMap[S],
  context: MessageContext,
): Promise<void> {
  if (outcome.duplicate) {
    context.markDuplicate();
    context.logger.debug('duplicate event skipped');
    return;
  }
  if (!outcome.result.applied) {
    context.logger.debug({ current: outcome.result.current }, 'version already seen; skipped');
    return;
  }
  context.logger.debug('event applied');
  await runAfterCommit(declaration, outcome.result.result, data, context);
}

function transactionalHandler<S extends Subject, TSchema extends Record<string, unknown>, T>(
  db: NodePgDatabase<TSchema>,
  declaration: TransactionalConsumer<S, DbTransaction<TSchema>, T>,
): EventHandler<S> {
  return async (envelope: Envelope<S>, context) => {
    const outcome = await db.transaction((tx) => applyOnce(tx, declaration, envelope, context));
    await afterApplied(declaration, outcome, envelope.data, context);
  };
}

/** One entry of a batch inside the batch's transaction: what it did, or why its savepoint rolled back. */
type SavepointResult<T> = { done: HandleOnceResult<Applied<T>> } | { error: unknown };

// Distinct from drizzle's `sp<n>`, which a handler's own nested transaction uses.
const entrySavepoint = sql.raw('savepoint batch_entry');
const rollbackEntry = sql.raw('rollback to savepoint batch_entry');

/**
 * Applies one entry of a batch after a savepoint. The savepoint of an entry that succeeded is
 * never released: releasing costs a round trip and frees nothing (Postgres keeps a written
 * subtransaction's id until the top transaction ends), and the next entry's savepoint, of the
 * same name, shadows it.
 */
async function applyInSavepoint<S extends Subject, TSchema extends Record<string, unknown>, T>(
  tx: DbTransaction<TSchema>,
  declaration: TransactionalConsumer<S, DbTransaction<TSchema>, T>,
  entry: BatchEntry<S>,
): Promise<SavepointResult<T>> {
  await tx.execute(entrySavepoint);
  try {
    return { done: await applyOnce(tx, declaration, entry.envelope, entry.context) };
  } catch (error) {
    await tx.execute(rollbackEntry);
    return { error };
  }
}

/**
 * Applies the entries in order inside `tx`, each in its own savepoint: one that throws (a failing
 * handler, {@link RetryLater}, a missing predecessor) rolls back to its savepoint alone, the row
 * locks it took included; a later entry sees what the earlier ones wrote (v1 then v2 of one
 * aggregate, a repeat of an event).
 */
async function applyEach<S extends Subject, TSchema extends Record<string, unknown>, T>(
  tx: DbTransaction<TSchema>,
  declaration: TransactionalConsumer<S, DbTransaction<TSchema>, T>,
  entries: readonly BatchEntry<S>[],
): Promise<SavepointResult<T>[]> {
  const results: SavepointResult<T>[] = [];
  for (const entry of entries) {
    results.push(await entry.within(() => applyInSavepoint(tx, declaration, entry)));
  }
  // Postgres answers COMMIT of an aborted transaction (a handler that swallowed a failed
  // statement) with a silent rollback; this fails instead, so that no message of it is acked.
  await tx.execute(sql`select 1`);
  return results;
}

/**
 * Records every entry of a batch in the inbox with one statement and answers, per entry, whether
 * its event is new: recorded by no earlier commit, and the first of its repeats in the batch.
 */
async function recordAll<TSchema extends Record<string, unknown>>(
  tx: DbTransaction<TSchema>,
  consumer: string,
  entries: readonly BatchEntry<Subject>[],
): Promise<boolean[]> {
  const ids = entries.map((entry) => entry.envelope.id);
  const { rows } = await tx.execute<{ event_id: string }>(
    sql`insert into ${inbox} (consumer, event_id)
        select ${consumer}, id from unnest(string_to_array(${ids.join(',')}, ',')::uuid[]) as id
        on conflict do nothing returning event_id`,
  );
  const fresh = new Set(rows.map((row) => row.event_id));
  return ids.map((id) => fresh.delete(id));
}

/**
 * Applies every entry of a batch inside `tx` with no savepoints, and throws at the first that
 * fails: the fast path, one inbox statement for the batch and none around each entry. A throw
 * rolls the whole transaction back, and {@link applyEach} takes the batch over.
 */
async function applyAll<S extends Subject, TSchema extends Record<string, unknown>, T>(
  tx: DbTransaction<TSchema>,
  declaration: TransactionalConsumer<S, DbTransaction<TSchema>, T>,
  entries: readonly BatchEntry<S>[],
): Promise<SavepointResult<T>[]> {
  const fresh = await recordAll(tx, entries[0]!.context.consumer, entries);
  const results: SavepointResult<T>[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!fresh[index]) {
      results.push({ done: { duplicate: true } });
      continue;
    }
    const { envelope, context } = entry;
    const result = await entry.within(() => applyRecorded(tx, declaration, envelope.data, context));
    results.push({ done: { duplicate: false, result } });
  }
  await tx.execute(sql`select 1`);
  return results;
}

function transactionalBatch<S extends Subject, TSchema extends Record<string, unknown>, T>(
  db: NodePgDatabase<TSchema>,
  declaration: TransactionalConsumer<S, DbTransaction<TSchema>, T>,
): BatchHandler<S> {
  return async (entries) => {
    // Entries rarely fail, so the batch is first applied whole; only when one did (or the commit
    // failed) is it applied again with a savepoint per entry, so that the failure stays its own.
    const results = await db
      .transaction((tx) => applyAll(tx, declaration, entries))
      .catch(() => db.transaction((tx) => applyEach(tx, declaration, entries)));
    const outcomes: BatchEntryOutcome[] = [];
    for (const [index, entry] of entries.entries()) {
      const result = results[index];
      if (!result || 'error' in result) {
        outcomes.push({ ok: false, error: result?.error ?? new Error('no result for a batch entry') });
        continue;
      }
      await entry.within(() => afterApplied(declaration, result.done, entry.envelope.data, entry.context));
      outcomes.push({ ok: true });
    }
    return outcomes;
  };
}

function plainBatch<S extends Subject, T>(
  declaration: PlainConsumer<S, T>,
  handleBatch: NonNullable<PlainConsumer<S, T>['handleBatch']>,
): BatchHandler<S> {
  return async (entries) => {
    const results = await handleBatch(
      entries.map((entry) => ({
        data: entry.envelope.data,
        context: entry.context,
        within: (fn) => entry.within(fn),
      })),
    );
    if (results.length !== entries.length) {
      throw new Error(`handleBatch answered ${results.length} results for ${entries.length} events`);
    }
    for (const [index, entry] of entries.entries()) {
      const { envelope, context } = entry;
      await entry.within(() => runAfterCommit(declaration, results[index] as T, envelope.data, context));
    }
    return entries.map(() => ({ ok: true as const }));
  };
}

function plainHandler<S extends Subject, T>(declaration: PlainConsumer<S, T>): EventHandler<S> {
  return async (envelope, context) => {
    const result = await declaration.handle(envelope.data, context);
    await runAfterCommit(declaration, result, envelope.data, context);
  };
}

/**
 * The one way a service declares what it consumes. Given the service's name (and its database,
 * when it has one) it answers a `consumer(declaration)` function; each call is one row of the
 * service's consumer table. The library then owns, for every row:
 * - the durable name, {@link durableNameFor}(service, subject);
 * - the inbox (I2): with a database, the handler runs in one transaction with the inbox record of
 *   `(durable, event id)`; a repeat skips the handler and is acked and counted as `duplicate`.
 *   Messages that arrived together (up to `limits.maxBatch`, default 50) share one transaction
 *   and one inbox statement; when one fails, the batch is applied again with a savepoint per
 *   message, so that it rolls back alone and is retried while the others are acked once the
 *   transaction committed, and `afterCommit` runs after that commit;
 * - the version order (I3) of `order: 'version'` rows, see {@link ConsumerOrder};
 * - ack, nak with backoff, `RetryLater` and dead-lettering, by `consume()`.
 * Without a database the declaration has no `tx` and the handler is idempotent by itself.
 */
export function consumerTable<TSchema extends Record<string, unknown>>(options: {
  service: string;
  db: NodePgDatabase<TSchema>;
}): DeclareTransactional<DbTransaction<TSchema>>;
export function consumerTable(options: { service: string }): DeclarePlain;
export function consumerTable<TSchema extends Record<string, unknown>>(options: {
  service: string;
  db?: NodePgDatabase<TSchema>;
}): DeclareTransactional<DbTransaction<TSchema>> | DeclarePlain {
  const { service, db } = options;
  if (db) {
    return <S extends Subject, T>(declaration: TransactionalConsumer<S, DbTransaction<TSchema>, T>) => ({
      ...declaration.limits,
      subject: declaration.subject,
      durable: durableNameFor(service, declaration.subject),
      handler: transactionalHandler(db, declaration),
      batch: transactionalBatch(db, declaration),
    });
  }
  return <S extends Subject, T>(declaration: PlainConsumer<S, T>) => ({
    ...declaration.limits,
    subject: declaration.subject,
    durable: durableNameFor(service, declaration.subject),
    handler: plainHandler(declaration),
    ...(declaration.handleBatch && { batch: plainBatch(declaration, declaration.handleBatch) }),
  });
}
