import { eq, sql } from 'drizzle-orm';
import { createEnvelope, ticketCreatedSubject } from '../src/events';
import type { Envelope } from '../src/events';
import { consumerTable, handleOnce, inbox, startInboxPruner } from '../src/bus';
import type { DbTransaction } from '../src/db';
import { readSubject } from '../src/testing/nats';
import { counters, createHarness, silentLogger, sleep, ticketData, waitFor } from './support/harness';
import type { Harness, schema } from './support/harness';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h.close();
});

async function increment(tx: DbTransaction<typeof schema>, id: string): Promise<void> {
  await tx
    .insert(counters)
    .values({ id, value: 1 })
    .onConflictDoUpdate({ target: counters.id, set: { value: sql`${counters.value} + 1` } });
}

async function counter(id: string): Promise<number | undefined> {
  const [row] = await h.db.select().from(counters).where(eq(counters.id, id));
  return row?.value;
}

function newEnvelope(): Envelope<typeof ticketCreatedSubject> {
  return createEnvelope(ticketCreatedSubject, ticketData());
}

describe('handleOnce()', () => {
  it('runs the change once per consumer and event', async () => {
    const envelope = newEnvelope();

    const first = await handleOnce(h.db, 'orders-ticket-created', envelope, async (tx) => {
      await increment(tx, envelope.id);
      return 'applied';
    });
    const repeat = await handleOnce(h.db, 'orders-ticket-created', envelope, async (tx) => {
      await increment(tx, envelope.id);
      return 'applied';
    });
    const otherConsumer = await handleOnce(h.db, 'payments-ticket-created', envelope, (tx) =>
      increment(tx, envelope.id),
    );

    expect(first).toEqual({ duplicate: false, result: 'applied' });
    expect(repeat).toEqual({ duplicate: true });
    expect(otherConsumer.duplicate).toBe(false);
    expect(await counter(envelope.id)).toBe(2);
  });

  it('records nothing when the change fails, so a retry applies it', async () => {
    const envelope = newEnvelope();

    await expect(
      handleOnce(h.db, 'c', envelope, async (tx) => {
        await increment(tx, envelope.id);
        throw new Error('constraint broken');
      }),
    ).rejects.toThrow('constraint broken');
    expect(await h.db.select().from(inbox).where(eq(inbox.eventId, envelope.id))).toEqual([]);
    expect(await counter(envelope.id)).toBeUndefined();

    const retry = await handleOnce(h.db, 'c', envelope, (tx) => increment(tx, envelope.id));
    expect(retry.duplicate).toBe(false);
    expect(await counter(envelope.id)).toBe(1);
  });
});

describe('a declared consumer under consume()', () => {
  it('changes state once when a message is redelivered after its transaction committed', async () => {
    const envelope = newEnvelope();
    await h.bus.publish(envelope);
    const deliveries: number[] = [];
    let applied = 0;
    const { handler: once } = consumerTable({ service: 'redelivery', db: h.db })({
      subject: ticketCreatedSubject,
      order: 'none',
      handle: async (tx) => {
        applied += 1;
        await increment(tx, envelope.id);
      },
    });

    await h.bus.consume({
      subject: ticketCreatedSubject,
      durable: 'redelivery',
      backoff: { baseMs: 50, capMs: 50 },
      handler: async (received, context) => {
        if (received.id !== envelope.id) return;
        deliveries.push(context.deliveryCount);
        await once(received, context);
        if (context.deliveryCount === 1) throw new Error('crashed after commit, before the ack');
      },
    });

    await waitFor(() => deliveries.length >= 2, 3_000, 'the redelivery');
    await sleep(200);
    expect(deliveries).toEqual([1, 2]);
    expect(applied).toBe(1);
    expect(await counter(envelope.id)).toBe(1);
  });

  it('changes state once when the same event is published twice', async () => {
    const envelope = newEnvelope();
    // Two msgIDs defeat JetStream's deduplication, as a publish after the window would.
    await h.bus.publishRaw(ticketCreatedSubject, JSON.stringify(envelope), { msgID: `${envelope.id}-a` });
    await h.bus.publishRaw(ticketCreatedSubject, JSON.stringify(envelope), { msgID: `${envelope.id}-b` });
    const copies = (await readSubject(h.bus, ticketCreatedSubject)).filter(
      (m) => (m.data as { id: string }).id === envelope.id,
    );
    expect(copies).toHaveLength(2);
    let deliveries = 0;
    const { handler: once } = consumerTable({ service: 'duplicates', db: h.db })({
      subject: ticketCreatedSubject,
      order: 'none',
      handle: (tx) => increment(tx, envelope.id),
    });

    await h.bus.consume({
      subject: ticketCreatedSubject,
      durable: 'duplicates',
      handler: async (received, context) => {
        if (received.id !== envelope.id) return;
        deliveries += 1;
        await once(received, context);
      },
    });

    await waitFor(() => deliveries === 2, 3_000, 'both copies');
    expect(await counter(envelope.id)).toBe(1);
  });
});

describe('inbox pruning', () => {
  it('deletes records past the retention in batches and keeps recent ones', async () => {
    const consumer = `prune-${Date.now()}`;
    const ids = Array.from({ length: 7 }, () => createEnvelope(ticketCreatedSubject, ticketData()).id);
    await h.db.insert(inbox).values(
      ids.map((eventId, i) => ({
        consumer,
        eventId,
        // Five a day old, two from a minute ago.
        processedAt: new Date(Date.now() - (i < 5 ? 24 * 3600_000 : 60_000)),
      })),
    );
    const pruner = startInboxPruner({
      pool: h.pool,
      logger: silentLogger,
      retentionMs: 3600_000,
      intervalMs: 3600_000,
      batchSize: 2,
    });
    try {
      // The first prune runs at start; a second one finds nothing left to delete.
      await waitFor(
        async () => (await h.db.select().from(inbox).where(eq(inbox.consumer, consumer))).length === 2,
        5_000,
        'the old records to go',
      );
      expect(await pruner.prune()).toBe(0);
      const left = await h.db.select().from(inbox).where(eq(inbox.consumer, consumer));
      expect(left.map((r) => r.eventId).sort()).toEqual(ids.slice(5).sort());
    } finally {
      await pruner.stop();
    }
  });
});
