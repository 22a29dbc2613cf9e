import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { consumerTable, durableNameFor, startMessaging } from '../src/bus';
import type { Messaging } from '../src/bus';
import { createEnvelope, ticketCreatedSubject, ticketUpdatedSubject } from '../src/events';
import type { Envelope, TicketUpdatedData } from '../src/events';
import { readSubject, testNatsUrl } from '../src/testing/nats';
import {
  counters,
  createHarness,
  replicas,
  silentLogger,
  sleep,
  ticketData,
  waitFor,
} from './support/harness';
import type { Harness } from './support/harness';

let h: Harness;
let registry: Registry;
const running: Messaging[] = [];

beforeAll(async () => {
  h = await createHarness();
});

beforeEach(() => {
  registry = new Registry();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((messaging) => messaging.stop()));
});

afterAll(async () => {
  await h.close();
});

async function start(consumers: Parameters<typeof startMessaging>[0]['consumers']): Promise<void> {
  running.push(
    await startMessaging({
      service: 'declared-test',
      natsUrl: testNatsUrl(),
      prefix: h.bus.prefix,
      logger: silentLogger,
      metrics: registry,
      consumers,
    }),
  );
}

async function handled(durable: string, outcome: string): Promise<number> {
  const { values } = (await registry.getSingleMetric('bus_messages_handled_total')?.get()) ?? { values: [] };
  const value = values.find((v) => v.labels.consumer === durable && v.labels.outcome === outcome);
  return value?.value ?? 0;
}

/** The value a test row holds, in `counters` (id → value). */
async function counterValue(id: string): Promise<number | undefined> {
  const [row] = await h.db.select().from(counters).where(eq(counters.id, id));
  return row?.value;
}

/** The version a test replica holds. */
async function replicaVersion(id: string): Promise<number | undefined> {
  const [row] = await h.db.select().from(replicas).where(eq(replicas.id, id));
  return row?.version;
}

function updated(id: string, version: number): Envelope<typeof ticketUpdatedSubject> {
  return createEnvelope(ticketUpdatedSubject, { ...ticketData({ id }), version } satisfies TicketUpdatedData);
}

describe('durableNameFor()', () => {
  it('derives the durable names deployed consumers already have', () => {
    expect(durableNameFor('orders', 'ticket.updated')).toBe('orders-ticket-updated');
    expect(durableNameFor('payments', 'order.cancelled')).toBe('payments-order-cancelled');
    expect(durableNameFor('expiration', 'order.created')).toBe('expiration-order-created');
  });
});

describe("an order: 'version' consumer", () => {
  it('applies n only on top of n-1: a successor waits for its predecessor, a stale version is skipped', async () => {
    const service = `replica-${randomUUID().slice(0, 8)}`;
    const durable = durableNameFor(service, ticketUpdatedSubject);
    const id = randomUUID();
    await h.db.insert(replicas).values({ id, version: 0 });
    const applied: number[] = [];
    const consumer = consumerTable({ service, db: h.db });
    await start([
      consumer({
        subject: ticketUpdatedSubject,
        order: 'version',
        replica: replicas,
        handle: async (tx, data) => {
          if (data.id !== id) return;
          applied.push(data.version);
          await tx.update(replicas).set({ version: data.version }).where(eq(replicas.id, data.id));
        },
      }),
    ]);

    await h.bus.publish(updated(id, 2));
    await sleep(300);
    expect(await replicaVersion(id)).toBe(0);
    await h.bus.publish(updated(id, 1));
    await waitFor(async () => (await replicaVersion(id)) === 2, 5_000, 'version 2');
    // Another event at a version the replica already holds: acked without running the handler.
    await h.bus.publish(updated(id, 1));
    await waitFor(async () => (await handled(durable, 'acked')) === 3, 5_000, 'the stale event');

    expect(applied).toEqual([1, 2]);
    expect(await replicaVersion(id)).toBe(2);
    expect(await handled(durable, 'retry_later')).toBeGreaterThanOrEqual(1);
    expect(await readSubject(h.bus, `deadletter.${durable}`)).toEqual([]);
  });
});

describe("an order: 'none' consumer", () => {
  it('counts a repeat as a duplicate and runs afterCommit once, after the commit', async () => {
    const service = `once-${randomUUID().slice(0, 8)}`;
    const durable = durableNameFor(service, ticketCreatedSubject);
    const envelope = createEnvelope(ticketCreatedSubject, ticketData());
    const afterCommit: (number | undefined)[] = [];
    await start([
      consumerTable({ service, db: h.db })({
        subject: ticketCreatedSubject,
        order: 'none',
        handle: async (tx, data) => {
          await tx.insert(counters).values({ id: data.id, value: 7 });
          return data.id;
        },
        afterCommit: async (insertedId) => {
          // Read outside the handler's transaction: only a committed row is visible here.
          afterCommit.push(await counterValue(insertedId));
        },
      }),
    ]);

    await h.bus.publishRaw(ticketCreatedSubject, JSON.stringify(envelope), { msgID: `${envelope.id}-a` });
    await h.bus.publishRaw(ticketCreatedSubject, JSON.stringify(envelope), { msgID: `${envelope.id}-b` });
    await waitFor(async () => (await handled(durable, 'duplicate')) === 1, 5_000, 'the duplicate');

    expect(await handled(durable, 'acked')).toBe(1);
    expect(afterCommit).toEqual([7]);
  });

  it('without a database, hands the handler the data alone under the same derived durable name', async () => {
    const service = `plain-${randomUUID().slice(0, 8)}`;
    const durable = durableNameFor(service, ticketCreatedSubject);
    const envelope = createEnvelope(ticketCreatedSubject, ticketData());
    const seen: string[] = [];
    const spec = consumerTable({ service })({
      subject: ticketCreatedSubject,
      order: 'none',
      handle: (data, context) => {
        if (context.eventId === envelope.id) seen.push(data.title);
        return Promise.resolve();
      },
    });
    expect(spec.durable).toBe(durable);
    await start([spec]);

    await h.bus.publish(envelope);
    await waitFor(() => seen.length === 1, 5_000, 'the event');
    expect(seen).toEqual([envelope.data.title]);
  });

  /**
   * The batch handler of a plain consumer with `handleBatch`, given five events as one batch
   * (called directly: how JetStream splits deliveries into batches does not decide what it sees).
   */
  async function runPlainBatch(failBatch: boolean) {
    const envelopes = Array.from({ length: 5 }, () => createEnvelope(ticketCreatedSubject, ticketData()));
    const batches: string[][] = [];
    const alone: string[] = [];
    const after: string[] = [];
    const spec = consumerTable({ service: `plain-batch-${randomUUID().slice(0, 8)}` })({
      subject: ticketCreatedSubject,
      order: 'none',
      handle: (data) => {
        alone.push(data.title);
        return Promise.resolve(data.title);
      },
      handleBatch: (entries) => {
        if (failBatch) return Promise.reject(new Error('the batch store is down'));
        batches.push(entries.map((e) => e.data.title));
        return Promise.resolve(entries.map((e) => e.data.title));
      },
      afterCommit: (title) => {
        after.push(title);
      },
    });
    const entries = envelopes.map((envelope, i) => ({
      envelope,
      context: {
        consumer: spec.durable,
        eventId: envelope.id,
        deliveryCount: 1,
        streamSequence: i + 1,
        headers: {},
        logger: silentLogger,
        markDuplicate: () => undefined,
      },
      within: <R>(fn: () => Promise<R>) => fn(),
    }));
    const outcome = await spec.batch!(entries).catch((err: unknown) => err);
    return { titles: envelopes.map((e) => e.data.title), outcome, batches, alone, after };
  }

  it('without a database, hands events that arrived together to handleBatch at once', async () => {
    const together = await runPlainBatch(false);
    expect(together.outcome).toEqual(together.titles.map(() => ({ ok: true })));
    expect(together.batches).toEqual([together.titles]);
    expect(together.alone).toEqual([]);
    expect(together.after).toEqual(together.titles);
  });

  it('without a database, rejects the batch as a whole when handleBatch throws (consume then handles each alone)', async () => {
    const failing = await runPlainBatch(true);
    expect(failing.outcome).toEqual(new Error('the batch store is down'));
    expect(failing.after).toEqual([]);
  });
});
