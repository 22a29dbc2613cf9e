import { eq, sql } from 'drizzle-orm';
import { createEnvelope, ticketCreatedSubject } from '../src/events';
import { enqueue, outbox, readOutboxBacklog, startOutboxRelay } from '../src/bus';
import type { OutboxRelay, OutboxRelayOptions } from '../src/bus';
import { connectTestBus, deleteTestStreams, randomPrefix, readSubject } from '../src/testing/nats';
import { createHarness, silentLogger, sleep, ticketData, waitFor } from './support/harness';
import type { Harness } from './support/harness';

let h: Harness;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  h = await createHarness();
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  await h.pool.query('delete from outbox');
  await h.bus.jsm.streams.purge(h.bus.streamName('TICKETS'));
});

afterAll(async () => {
  await h.close();
});

async function startRelay(options: Partial<OutboxRelayOptions> = {}): Promise<OutboxRelay> {
  const relay = await startOutboxRelay({ pool: h.pool, bus: h.bus, logger: silentLogger, ...options });
  relays.push(relay);
  return relay;
}

async function publishedIds(): Promise<string[]> {
  const messages = await readSubject(h.bus, ticketCreatedSubject);
  return messages.map((m) => (m.data as { id: string }).id);
}

async function outboxCount(): Promise<number> {
  return (await readOutboxBacklog(h.pool)).count;
}

describe('outbox relay', () => {
  it('never publishes an event enqueued in a rolled-back transaction', async () => {
    await startRelay({ pollIntervalMs: 50 });

    await expect(
      h.db.transaction(async (tx) => {
        await enqueue(tx, ticketCreatedSubject, ticketData());
        throw new Error('domain change failed');
      }),
    ).rejects.toThrow('domain change failed');
    const committed = await h.db.transaction((tx) => enqueue(tx, ticketCreatedSubject, ticketData()));

    await waitFor(async () => (await publishedIds()).length > 0, 5_000, 'the committed event');
    await sleep(200);
    expect(await publishedIds()).toEqual([committed.id]);
    expect(await outboxCount()).toBe(0);
  });

  it('publishes a committed event within 500 ms of commit, woken by NOTIFY alone', async () => {
    await startRelay({ pollIntervalMs: 60_000 });
    await sleep(100);

    for (let i = 0; i < 3; i += 1) {
      const started = Date.now();
      const envelope = await h.db.transaction((tx) => enqueue(tx, ticketCreatedSubject, ticketData()));
      await waitFor(async () => (await publishedIds()).includes(envelope.id), 2_000, 'the event');
      expect(Date.now() - started).toBeLessThan(500);
    }
    expect(await outboxCount()).toBe(0);
  });

  it('publishes rows inserted without NOTIFY on its backstop poll', async () => {
    await startRelay({ pollIntervalMs: 200 });
    await sleep(100);

    const envelope = createEnvelope(ticketCreatedSubject, ticketData());
    await h.db.insert(outbox).values({ id: envelope.id, subject: envelope.subject, envelope });

    await waitFor(async () => (await publishedIds()).includes(envelope.id), 3_000, 'the polled event');
    expect(await outboxCount()).toBe(0);
  });

  it('after crashing mid-batch and restarting, publishes every event exactly once and in order', async () => {
    const envelopes = await h.db.transaction(async (tx) => {
      const written = [];
      for (let i = 0; i < 10; i += 1) written.push(await enqueue(tx, ticketCreatedSubject, ticketData()));
      return written;
    });
    const ids = envelopes.map((e) => e.id);

    let acked = 0;
    // A batch of four: its publishes all leave before the first PubAck is read, so the crash
    // after the fourth PubAck comes before the batch's commit, with rows 5-10 never sent.
    const crashing = await startRelay({
      pollIntervalMs: 60_000,
      batchSize: 4,
      backoff: { baseMs: 60_000, capMs: 60_000 },
      hooks: {
        afterPublish: () => {
          acked += 1;
          if (acked === 4) throw new Error('killed before commit');
        },
      },
    });
    await waitFor(() => acked >= 4, 3_000, 'four PubAcks');
    await crashing.stop();

    expect(await publishedIds()).toEqual(ids.slice(0, 4));
    expect(await outboxCount()).toBe(10);

    await startRelay({ pollIntervalMs: 60_000 });
    await waitFor(async () => (await outboxCount()) === 0, 5_000, 'an empty outbox');

    expect(await publishedIds()).toEqual(ids);

    const seen: string[] = [];
    await h.bus.consume({
      subject: ticketCreatedSubject,
      durable: 'crash-check',
      handler: (envelope) => {
        seen.push(envelope.id);
        return Promise.resolve();
      },
    });
    await waitFor(() => seen.length >= 10, 5_000, 'ten deliveries');
    await sleep(200);
    expect(seen).toEqual(ids);
  });

  it('publishes in commit order when several replicas relay the same outbox', async () => {
    const envelopes = await h.db.transaction(async (tx) => {
      const written = [];
      for (let i = 0; i < 40; i += 1) written.push(await enqueue(tx, ticketCreatedSubject, ticketData()));
      return written;
    });
    await Promise.all([1, 2, 3].map(() => startRelay({ pollIntervalMs: 60_000, batchSize: 3 })));

    await waitFor(async () => (await outboxCount()) === 0, 5_000, 'an empty outbox');
    expect(await publishedIds()).toEqual(envelopes.map((e) => e.id));
  });

  it('keeps a row whose publish fails, retries it with backoff, and publishes in order once NATS accepts', async () => {
    const unprovisioned = await connectTestBus(randomPrefix(), { ensureStreams: false });
    try {
      await startRelay({ bus: unprovisioned, pollIntervalMs: 60_000, backoff: { baseMs: 100, capMs: 200 } });
      const envelopes = await h.db.transaction(async (tx) => [
        await enqueue(tx, ticketCreatedSubject, ticketData()),
        await enqueue(tx, ticketCreatedSubject, ticketData()),
      ]);
      const first = envelopes[0]!.id;

      const failed = await waitFor(
        async () => {
          const [row] = await h.db.select().from(outbox).where(eq(outbox.id, first));
          return row && row.attempts >= 2 ? row : undefined;
        },
        5_000,
        'two failed attempts',
      );
      expect(failed.lastError).toBeTruthy();
      expect(await outboxCount()).toBe(2);

      await unprovisioned.ensureStreams();
      await waitFor(async () => (await outboxCount()) === 0, 5_000, 'an empty outbox');
      const stored = await readSubject(unprovisioned, ticketCreatedSubject);
      expect(stored.map((m) => (m.data as { id: string }).id)).toEqual(envelopes.map((e) => e.id));
    } finally {
      await Promise.all(relays.splice(0).map((relay) => relay.stop()));
      await deleteTestStreams(unprovisioned);
      await unprovisioned.close();
    }
  });

  it('retries a row waiting out its backoff at once when resumed, still in order', async () => {
    const unprovisioned = await connectTestBus(randomPrefix(), { ensureStreams: false });
    try {
      // A backoff far longer than the test: only resume() can get the rows out in time.
      const relay = await startRelay({
        bus: unprovisioned,
        pollIntervalMs: 60_000,
        backoff: { baseMs: 60_000, capMs: 60_000 },
      });
      const envelopes = await h.db.transaction(async (tx) => [
        await enqueue(tx, ticketCreatedSubject, ticketData()),
        await enqueue(tx, ticketCreatedSubject, ticketData()),
      ]);
      await waitFor(
        async () => {
          const [row] = await h.db.select().from(outbox).where(eq(outbox.id, envelopes[0]!.id));
          return row && row.attempts === 1;
        },
        5_000,
        'a failed attempt',
      );
      await unprovisioned.ensureStreams();
      // Notifications and polls do not cut a backoff short...
      relay.wake();
      await sleep(300);
      expect(await outboxCount()).toBe(2);
      // ...a resume (the broker is back) does.
      relay.resume();
      await waitFor(async () => (await outboxCount()) === 0, 2_000, 'an empty outbox');
      const stored = await readSubject(unprovisioned, ticketCreatedSubject);
      expect(stored.map((m) => (m.data as { id: string }).id)).toEqual(envelopes.map((e) => e.id));
    } finally {
      await Promise.all(relays.splice(0).map((r) => r.stop()));
      await deleteTestStreams(unprovisioned);
      await unprovisioned.close();
    }
  });

  it('listens again after its LISTEN connection is killed', async () => {
    await startRelay({ pollIntervalMs: 60_000 });
    const listenerPid = async (): Promise<number | undefined> => {
      const { rows } = await h.pool.query<{ pid: number }>(
        `select pid from pg_stat_activity where datname = current_database() and query ilike 'listen %'`,
      );
      return rows[0]?.pid;
    };
    const before = await waitFor(listenerPid, 2_000, 'the LISTEN connection');
    await h.pool.query('select pg_terminate_backend($1)', [before]);
    await waitFor(
      async () => {
        const pid = await listenerPid();
        return pid !== undefined && pid !== before;
      },
      5_000,
      'a new LISTEN connection',
    );
    await sleep(100);

    const started = Date.now();
    const envelope = await h.db.transaction((tx) => enqueue(tx, ticketCreatedSubject, ticketData()));
    await waitFor(async () => (await publishedIds()).includes(envelope.id), 2_000, 'the event');
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('pipelines a batch: every row is sent before the PubAcks are awaited, published once and in order', async () => {
    const envelopes = await h.db.transaction(async (tx) => {
      const written = [];
      for (let i = 0; i < 120; i += 1) written.push(await enqueue(tx, ticketCreatedSubject, ticketData()));
      return written;
    });
    const sent: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    await startRelay({
      pollIntervalMs: 60_000,
      batchSize: 50,
      bus: {
        publishRaw: async (subject, payload, options) => {
          sent.push(options.msgID);
          inFlight += 1;
          mostInFlight = Math.max(mostInFlight, inFlight);
          try {
            return await h.bus.publishRaw(subject, payload, options);
          } finally {
            inFlight -= 1;
          }
        },
      },
    });
    await waitFor(async () => (await outboxCount()) === 0, 5_000, 'an empty outbox');

    const ids = envelopes.map((e) => e.id);
    expect(await publishedIds()).toEqual(ids);
    expect(sent).toEqual(ids);
    expect(mostInFlight).toBe(50);
  });

  it('deletes the rows acked around a failed publish and reschedules only the failed one', async () => {
    const failing = '00000000-0000-4000-8000-000000000001';
    const [before, after] = await h.db.transaction(async (tx) => {
      const first = await enqueue(tx, ticketCreatedSubject, ticketData());
      // No stream holds this subject: JetStream refuses the publish.
      await tx.execute(
        sql`insert into outbox (id, subject, envelope) values (${failing}, 'nowhere.created', '{}'::jsonb)`,
      );
      return [first, await enqueue(tx, ticketCreatedSubject, ticketData())];
    });
    await startRelay({ pollIntervalMs: 60_000, backoff: { baseMs: 60_000, capMs: 60_000 } });
    await waitFor(async () => (await outboxCount()) === 1, 5_000, 'one row left');

    expect(await publishedIds()).toEqual([before.id, after.id]);
    const rows = await h.db.select().from(outbox);
    expect(rows.map((r) => [r.id, r.attempts])).toEqual([[failing, 1]]);
  });

  it('publishes the headers recorded with the event', async () => {
    await startRelay({ pollIntervalMs: 60_000 });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const envelope = await h.db.transaction((tx) =>
      enqueue(tx, ticketCreatedSubject, ticketData(), { headers: { traceparent } }),
    );

    const stored = await waitFor(
      async () => {
        const messages = await readSubject(h.bus, ticketCreatedSubject);
        return messages.find((m) => (m.data as { id: string }).id === envelope.id);
      },
      2_000,
      'the event',
    );
    expect(stored.headers).toMatchObject({ traceparent });
    expect(stored.data).toEqual(envelope);
  });

  it('reports the backlog: pending rows and the age of the oldest', async () => {
    expect(await readOutboxBacklog(h.pool)).toEqual({ count: 0, oldestAgeMs: null });
    await h.db.transaction(async (tx) => {
      await enqueue(tx, ticketCreatedSubject, ticketData());
      await enqueue(tx, ticketCreatedSubject, ticketData());
    });
    await sleep(50);
    const backlog = await readOutboxBacklog(h.pool);
    expect(backlog.count).toBe(2);
    expect(backlog.oldestAgeMs).toBeGreaterThanOrEqual(40);
  });

  it('refuses to enqueue data that breaks the contract', async () => {
    await expect(
      h.db.transaction((tx) => enqueue(tx, ticketCreatedSubject, ticketData({ currency: 'USD' }))),
    ).rejects.toThrow();
    expect(await outboxCount()).toBe(0);
  });
});
