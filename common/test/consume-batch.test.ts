import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { consumerTable, durableNameFor, inbox, RetryLater, startMessaging } from '../src/bus';
import type { ConsumerLimits, ConsumerSpec, DeclareTransactional, Messaging } from '../src/bus';
import type { DbTransaction } from '../src/db';
import { createEnvelope, ticketCreatedSubject, ticketUpdatedSubject } from '../src/events';
import type { Envelope, Subject, TicketCreatedData, TicketUpdatedData } from '../src/events';
import { readSubject, testNatsUrl } from '../src/testing/nats';
import { createHarness, replicas, silentLogger, ticketData, waitFor } from './support/harness';
import type { Harness, schema } from './support/harness';

type Tx = DbTransaction<typeof schema>;

let h: Harness;
let registry: Registry;
const running: Messaging[] = [];

// A harness per test: a new durable consumer reads its stream from the start.
beforeEach(async () => {
  registry = new Registry();
  h = await createHarness();
  // Which transaction applied each delivery: the outcome that tells a batch from one by one.
  await h.pool
    .query(`create table applied (event_id uuid not null, txid bigint not null, delivery int not null);
    create table deferred_keys (key text not null, constraint deferred_keys_key unique (key) deferrable initially deferred)`);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((messaging) => messaging.stop()));
  await h.close();
});

/** Starts a service whose one consumer is declared with `declare`, after every message was published. */
async function start<S extends Subject>(
  declare: (consumer: DeclareTransactional<Tx>) => ConsumerSpec<S>,
): Promise<string> {
  const service = `batch-${randomUUID().slice(0, 8)}`;
  const consumer = consumerTable({ service, db: h.db });
  running.push(
    await startMessaging({
      service,
      natsUrl: testNatsUrl(),
      prefix: h.bus.prefix,
      logger: silentLogger,
      metrics: registry,
      consumers: [declare(consumer)],
    }),
  );
  return service;
}

async function record(tx: Tx, eventId: string, delivery: number): Promise<void> {
  await tx.execute(
    sql`insert into applied (event_id, txid, delivery) values (${eventId}, txid_current(), ${delivery})`,
  );
}

/** Each committed application of the events, in commit order within a transaction. */
async function appliedOf(
  envelopes: readonly Envelope[],
): Promise<{ eventId: string; txid: string; delivery: number }[]> {
  const { rows } = await h.pool.query<{ event_id: string; txid: string; delivery: number }>(
    'select event_id, txid::text, delivery from applied where event_id = any($1::uuid[])',
    [envelopes.map((e) => e.id)],
  );
  return rows.map((r) => ({ eventId: r.event_id, txid: r.txid, delivery: r.delivery }));
}

async function handled(durable: string, outcome: string): Promise<number> {
  const { values } = (await registry.getSingleMetric('bus_messages_handled_total')?.get()) ?? { values: [] };
  return values.find((v) => v.labels.consumer === durable && v.labels.outcome === outcome)?.value ?? 0;
}

async function publishCreated(
  count: number,
  overrides: Partial<TicketCreatedData> = {},
): Promise<Envelope<typeof ticketCreatedSubject>[]> {
  const envelopes = Array.from({ length: count }, () =>
    createEnvelope(ticketCreatedSubject, ticketData(overrides)),
  );
  for (const envelope of envelopes) await h.bus.publish(envelope);
  return envelopes;
}

function updated(id: string, version: number): Envelope<typeof ticketUpdatedSubject> {
  return createEnvelope(ticketUpdatedSubject, { ...ticketData({ id }), version } satisfies TicketUpdatedData);
}

const fast: ConsumerLimits = { backoff: { baseMs: 100, capMs: 200 } };

describe('a transactional consumer given several messages at once', () => {
  it('commits the others in one transaction when one handler throws, and redelivers only that one', async () => {
    const envelopes = await publishCreated(5);
    const failing = envelopes[2]!;
    const service = await start((consumer) =>
      consumer({
        subject: ticketCreatedSubject,
        order: 'none',
        limits: fast,
        handle: async (tx, data, context) => {
          await record(tx, context.eventId, context.deliveryCount);
          if (context.eventId === failing.id && context.deliveryCount === 1) throw new Error('boom');
        },
      }),
    );
    const durable = durableNameFor(service, ticketCreatedSubject);
    await waitFor(async () => (await appliedOf(envelopes)).length === 5, 5_000, 'five applied');

    const applied = await appliedOf(envelopes);
    const others = applied.filter((a) => a.eventId !== failing.id);
    expect(new Set(others.map((a) => a.txid)).size).toBe(1);
    expect(others.every((a) => a.delivery === 1)).toBe(true);
    // The failed try rolled back (the batch's first attempt whole, then its own savepoint); only
    // its redelivery committed, on its own.
    expect(applied.filter((a) => a.eventId === failing.id)).toEqual([
      expect.objectContaining({ delivery: 2 }),
    ]);
    await waitFor(async () => (await handled(durable, 'acked')) === 5, 5_000, 'five acks');
    expect(await handled(durable, 'retried')).toBe(1);
    expect(await h.pool.query('select 1 from inbox where consumer = $1', [durable])).toHaveProperty(
      'rowCount',
      5,
    );
  });

  it('redelivers a message that asks to retry later in the middle of a batch, and acks its neighbours', async () => {
    const envelopes = await publishCreated(3);
    const waiting = envelopes[1]!;
    const service = await start((consumer) =>
      consumer({
        subject: ticketCreatedSubject,
        order: 'none',
        handle: async (tx, data, context) => {
          await record(tx, context.eventId, context.deliveryCount);
          if (context.eventId === waiting.id && context.deliveryCount === 1) throw new RetryLater(100);
        },
      }),
    );
    const durable = durableNameFor(service, ticketCreatedSubject);
    await waitFor(async () => (await handled(durable, 'acked')) === 3, 5_000, 'three acks');

    const applied = await appliedOf(envelopes);
    expect(applied.filter((a) => a.eventId === waiting.id).map((a) => a.delivery)).toEqual([2]);
    const [first, , third] = envelopes.map((e) => applied.find((a) => a.eventId === e.id));
    expect(first?.txid).toBe(third?.txid);
    expect(await handled(durable, 'retry_later')).toBe(1);
    expect(await handled(durable, 'retried')).toBe(0);
  });

  it('counts a repeat of an event within the same batch as a duplicate and applies it once', async () => {
    const [envelope] = await publishCreated(1);
    // The same event again under another msgID, so JetStream stores it twice.
    await h.bus.publishRaw(ticketCreatedSubject, JSON.stringify(envelope), { msgID: randomUUID() });
    const [after] = await publishCreated(1);
    const service = await start((consumer) =>
      consumer({
        subject: ticketCreatedSubject,
        order: 'none',
        handle: (tx, data, context) => record(tx, context.eventId, context.deliveryCount),
      }),
    );
    const durable = durableNameFor(service, ticketCreatedSubject);
    await waitFor(async () => (await handled(durable, 'acked')) === 2, 5_000, 'two acks');

    expect(await handled(durable, 'duplicate')).toBe(1);
    const applied = await appliedOf([envelope!, after!]);
    expect(applied).toHaveLength(2);
    expect(applied[0]?.txid).toBe(applied[1]?.txid);
  });

  it('applies v1 then v2 of one aggregate in one batch, and retries a v2 that comes before its v1', async () => {
    // The batch handler itself, given the four events as one batch: how JetStream happens to
    // split deliveries into batches does not decide what this test sees.
    const inOrder = randomUUID();
    const reversed = randomUUID();
    await h.db.insert(replicas).values([
      { id: inOrder, version: 0 },
      { id: reversed, version: 0 },
    ]);
    const events = [updated(inOrder, 1), updated(inOrder, 2), updated(reversed, 2), updated(reversed, 1)];
    const seen: string[] = [];
    const durable = `batch-${randomUUID().slice(0, 8)}`;
    const spec = consumerTable({ service: durable, db: h.db })({
      subject: ticketUpdatedSubject,
      order: 'version',
      replica: replicas,
      handle: async (tx, data, context) => {
        seen.push(`${data.id === inOrder ? 'a' : 'b'}${data.version}`);
        await record(tx, context.eventId, context.deliveryCount);
        await tx.update(replicas).set({ version: data.version }).where(eq(replicas.id, data.id));
      },
    });
    const contextOf = (envelope: Envelope, deliveryCount: number) => ({
      consumer: spec.durable,
      eventId: envelope.id,
      deliveryCount,
      streamSequence: 1,
      headers: {},
      logger: silentLogger,
      markDuplicate: () => undefined,
    });
    const outcomes = await spec.batch!(
      events.map((envelope) => ({ envelope, context: contextOf(envelope, 1), within: (fn) => fn() })),
    );

    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true]);
    expect(outcomes[2]).toMatchObject({ ok: false, error: expect.any(RetryLater) });
    // b2 before b1 fails the batch's first, savepoint-free attempt, which rolls back whole; the
    // batch is applied again with a savepoint per entry, and that run is the one that commits.
    expect(seen).toEqual(['a1', 'a2', 'a1', 'a2', 'b1']);
    const applied = await appliedOf(events);
    const txOf = (e: Envelope): string | undefined => applied.find((a) => a.eventId === e.id)?.txid;
    expect(txOf(events[0]!)).toBe(txOf(events[1]!));
    expect(txOf(events[0]!)).toBe(txOf(events[3]!));
    expect(txOf(events[2]!)).toBeUndefined();
    const versionOf = async (id: string) =>
      (await h.db.select().from(replicas).where(eq(replicas.id, id)))[0]?.version;
    expect(await versionOf(inOrder)).toBe(2);
    expect(await versionOf(reversed)).toBe(1);

    // Redelivered, b2 now finds b1 and applies.
    await spec.handler(events[2]!, contextOf(events[2]!, 2));
    expect(await versionOf(reversed)).toBe(2);
    expect(applied.length + 1).toBe((await appliedOf(events)).length);
    expect((await appliedOf(events)).find((a) => a.eventId === events[2]!.id)?.delivery).toBe(2);
  });

  it('acks nothing of a batch whose commit fails, and applies what can be applied one by one', async () => {
    const [first, clash, other] = [
      ...(await publishCreated(2, { title: `clash-${randomUUID()}` })),
      ...(await publishCreated(1)),
    ];
    const service = await start((consumer) =>
      consumer({
        subject: ticketCreatedSubject,
        order: 'none',
        limits: { ...fast, maxDeliver: 2 },
        handle: async (tx, data, context) => {
          await record(tx, context.eventId, context.deliveryCount);
          // Checked only at commit: both savepoints succeed, the batch's commit fails.
          await tx.execute(sql`insert into deferred_keys (key) values (${data.title})`);
        },
      }),
    );
    const durable = durableNameFor(service, ticketCreatedSubject);
    await waitFor(
      async () => (await readSubject(h.bus, `deadletter.${durable}`)).length === 1,
      8_000,
      'the clashing event dead-lettered',
    );

    const applied = await appliedOf([first!, clash!, other!]);
    expect(applied.map((a) => a.eventId).sort()).toEqual([first!.id, other!.id].sort());
    // Each applied alone after the failed commit, in a transaction of its own.
    expect(new Set(applied.map((a) => a.txid)).size).toBe(2);
    const recorded = await h.db.select().from(inbox).where(eq(inbox.consumer, durable));
    expect(recorded.map((r) => r.eventId).sort()).toEqual([first!.id, other!.id].sort());
    expect(await handled(durable, 'acked')).toBe(2);
    expect(await handled(durable, 'dead_lettered')).toBe(1);
  });
});
