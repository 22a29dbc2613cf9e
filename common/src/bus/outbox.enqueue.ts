import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import { contractVersion, createEnvelope, EventContractError, eventSchemas } from '../events';
import { traceHeaders } from '../tracing/propagation';
import type { CreateEnvelopeOptions, Envelope, EventMap, Subject } from '../events';
import type { MessageHeaders } from './message';
import { outbox } from './outbox.schema';

/** The `NOTIFY` channel the relay listens on, by default. */
export const defaultOutboxChannel = 'outbox';

/** A drizzle node-postgres database or transaction: anything {@link enqueue} can write with. */
export type SqlExecutor = Pick<PgDatabase<NodePgQueryResultHKT>, 'execute'>;

/** Options of {@link enqueue}. */
export interface EnqueueOptions extends CreateEnvelopeOptions {
  /** Headers to publish with the event, beside the trace context captured at enqueue time. */
  headers?: MessageHeaders;
  /** The channel to `NOTIFY`; the relay's channel. */
  channel?: string;
}

/**
 * Records an event in the outbox inside the caller's transaction (I1): builds and validates the
 * envelope, inserts the row and sends `NOTIFY`, which Postgres delivers only on commit. Pass the
 * transaction of the domain change; a rolled-back transaction publishes nothing. The active trace
 * context (`traceparent`, `tracestate`) is stored with the row, so the event continues the trace
 * of the request or message that caused it.
 * @throws EventContractError when `data` breaks the contract (a server fault: HTTP 500, not 400).
 */
export async function enqueue<S extends Subject>(
  tx: SqlExecutor,
  subject: S,
  data: EventMap[S],
  options: EnqueueOptions = {},
): Promise<Envelope<S>> {
  const envelope = createEnvelope(subject, data, options);
  const headers = headersJson(options.headers);
  const channel = options.channel ?? defaultOutboxChannel;
  // One round trip: the row and its NOTIFY (delivered on commit) in a single statement.
  await tx.execute(sql`
    with queued as (
      insert into ${outbox} (id, subject, envelope, headers)
      values (${envelope.id}, ${subject}, ${JSON.stringify(envelope)}::jsonb, ${headers}::jsonb)
      returning 1
    )
    select pg_notify(${channel}, '') from queued`);
  return envelope;
}

/** The row's `headers`: the active trace context and `extra`, or null when there are none. */
function headersJson(extra: MessageHeaders | undefined): string | null {
  const headers = { ...traceHeaders(), ...extra };
  return Object.keys(headers).length > 0 ? JSON.stringify(headers) : null;
}

/** Options of {@link enqueueInStatement}. */
export interface EnqueueInStatementOptions {
  /**
   * The event's `data` as a `jsonb` expression over the columns of `from`: computed by the
   * statement itself, e.g. from the row it inserts.
   */
  data: SQL;
  /** The rows the event is enqueued for (usually a CTE of the statement); one event per row. */
  from: SQL;
  /** The channel to `NOTIFY`; the relay's channel. */
  channel?: string;
}

/** The values of one event's placeholders in {@link EnqueueInStatement.insert}. */
export type EnqueueValues = Record<string, unknown>;

/** What {@link enqueueInStatement} answers: the parts to embed, their values and the check before commit. */
export interface EnqueueInStatement<S extends Subject> {
  /**
   * The data-modifying CTE body: `insert into outbox … select … from <from> returning envelope`;
   * embed it as `with <name> as (${insert})`. Its event id, time and headers are placeholders
   * (`sql.placeholder`), so the statement's text stays the same from one event to the next and
   * can be prepared once: fill them with {@link EnqueueInStatement.values}.
   */
  insert: SQL;
  /**
   * A scalar expression for the statement's final `select` that sends the relay's `NOTIFY` (on
   * commit) once per row the CTE named `cte` inserted, and none when it inserted nothing. A
   * data-modifying CTE always runs, but a plain one only when referenced: hence an expression.
   */
  notify(cte: string): SQL;
  /**
   * The placeholder values for one event: a fresh id (or `options.id`), the time (now, or
   * `options.occurredAt`), and the headers with the trace context active at this call.
   */
  values(options?: EnqueueOptions): EnqueueValues;
  /**
   * Validates the envelope the statement wrote (its `returning envelope`) against the subject's
   * schema and answers it. Call it before the transaction commits, so a broken event rolls back
   * with its domain change.
   * @throws EventContractError when the data breaks the contract (a server fault: HTTP 500).
   */
  check(written: unknown): Envelope<S>;
}

const placeholders = {
  id: sql.placeholder('outbox_event_id'),
  occurredAt: sql.placeholder('outbox_occurred_at'),
  headers: sql.placeholder('outbox_headers'),
};

/**
 * {@link enqueue} as part of one data-modifying statement, for an event whose data the statement
 * itself computes (say, the order a placing insert creates, with the terms it copied), so the
 * domain change, the outbox row and its `NOTIFY` take one round trip. The row is the one `enqueue`
 * writes: the same id, subject, envelope (`id`, `subject`, `version`, `occurredAt`, `data`) and
 * headers with the trace context. As the data exists only inside the statement, its validation
 * comes after it: run {@link EnqueueInStatement.check} on the returned envelope before committing
 * (an invalid event is a server fault, and the rollback takes the change with it).
 */
export function enqueueInStatement<S extends Subject>(
  subject: S,
  options: EnqueueInStatementOptions,
): EnqueueInStatement<S> {
  const channel = options.channel ?? defaultOutboxChannel;
  const insert = sql`insert into ${outbox} (id, subject, envelope, headers)
      select ${placeholders.id}::uuid, ${subject}::text,
             jsonb_build_object('id', ${placeholders.id}::text, 'subject', ${subject}::text,
                                'version', ${contractVersion}::int,
                                'occurredAt', ${placeholders.occurredAt}::text,
                                'data', ${options.data}),
             ${placeholders.headers}::jsonb
      from ${options.from}
      returning envelope`;
  return {
    insert,
    notify: (cte) => sql`(select count(pg_notify(${channel}::text, '')) from ${sql.identifier(cte)})`,
    values: (event = {}) => ({
      outbox_event_id: event.id ?? randomUUID(),
      outbox_occurred_at: (event.occurredAt ?? new Date()).toISOString(),
      outbox_headers: headersJson(event.headers),
    }),
    check(written) {
      const envelope = written as Envelope<S>;
      const parsed = eventSchemas[subject].safeParse(envelope.data);
      if (!parsed.success) throw new EventContractError(subject, parsed.error);
      return { ...envelope, data: parsed.data as EventMap[S] };
    },
  };
}
