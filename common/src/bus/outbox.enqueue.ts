import { sql } from 'drizzle-orm';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import { createEnvelope } from '../events';
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
  const headers = { ...traceHeaders(), ...options.headers };
  const channel = options.channel ?? defaultOutboxChannel;
  // One round trip: the row and its NOTIFY (delivered on commit) in a single statement.
  await tx.execute(sql`
    with queued as (
      insert into ${outbox} (id, subject, envelope, headers)
      values (${envelope.id}, ${subject}, ${JSON.stringify(envelope)}::jsonb,
              ${Object.keys(headers).length > 0 ? JSON.stringify(headers) : null}::jsonb)
      returning 1
    )
    select pg_notify(${channel}, '') from queued`);
  return envelope;
}
