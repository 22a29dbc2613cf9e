import { Registry } from 'prom-client';
import { createEnvelope, ticketCreatedSubject } from '../src/events';
import {
  createConsumerLagMetrics,
  createOutboxMetrics,
  consumerTable,
  durableNameFor,
  enqueue,
  outbox,
  readOutboxBacklog,
  startMessaging,
  startOutboxRelay,
} from '../src/bus';
import type { Messaging } from '../src/bus';
import { testNatsUrl } from '../src/testing/nats';
import { createHarness, silentLogger, ticketData, waitFor } from './support/harness';
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
  await h.pool.query('delete from outbox');
  await h.bus.jsm.streams.purge(h.bus.streamName('TICKETS'));
});

afterAll(async () => {
  await h.close();
});

/** The value of `name` whose labels include `labels`; 0 when there is no such series. */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = registry.getSingleMetric(name);
  if (!found) throw new Error(`metric ${name} is not registered`);
  const { values } = await found.get();
  const matching = values.filter((v) =>
    Object.entries(labels).every(([key, value]) => (v.labels as Record<string, unknown>)[key] === value),
  );
  return matching.reduce((sum, v) => sum + v.value, 0);
}

async function start(options: Partial<Parameters<typeof startMessaging>[0]>): Promise<Messaging> {
  const messaging = await startMessaging({
    service: 'metrics-test',
    natsUrl: testNatsUrl(),
    prefix: h.bus.prefix,
    logger: silentLogger,
    consumers: [],
    metrics: registry,
    ...options,
  });
  running.push(messaging);
  return messaging;
}

describe('bus metrics', () => {
  it('counts acked, duplicate, retried and dead-lettered messages, redeliveries and handler time', async () => {
    const durable = durableNameFor('metrics-outcomes', ticketCreatedSubject);
    const handled = new Set<string>();
    const poison = createEnvelope(ticketCreatedSubject, ticketData({ title: 'poison' }));
    const good = createEnvelope(ticketCreatedSubject, ticketData());
    await h.bus.publish(poison);
    await h.bus.publish(good);
    // The same event again under another msgID: JetStream stores it, the inbox skips it.
    await h.bus.publishRaw(ticketCreatedSubject, JSON.stringify(good), { msgID: `${good.id}-again` });

    await start({
      consumers: [
        consumerTable({ service: 'metrics-outcomes', db: h.db })({
          subject: ticketCreatedSubject,
          order: 'none',
          limits: { maxDeliver: 2, backoff: { baseMs: 50, capMs: 100 } },
          handle: (_tx, _data, context) => {
            if (context.eventId === poison.id) return Promise.reject(new Error('boom'));
            handled.add(context.eventId);
            return Promise.resolve();
          },
        }),
      ],
    });

    const outcome = (name: string) =>
      metric('bus_messages_handled_total', { consumer: durable, outcome: name });
    await waitFor(async () => (await outcome('dead_lettered')) === 1, 5_000, 'the dead letter');
    await waitFor(async () => (await outcome('duplicate')) === 1, 5_000, 'the duplicate');
    expect([...handled]).toEqual([good.id]);
    expect(await outcome('acked')).toBe(1);
    expect(await outcome('retried')).toBe(1);
    expect(await outcome('invalid')).toBe(0);
    expect(
      await metric('bus_messages_handled_total', { subject: ticketCreatedSubject, outcome: 'acked' }),
    ).toBe(1);
    expect(await metric('bus_redeliveries_total', { consumer: durable })).toBe(1);
    expect(await metric('bus_handler_duration_seconds', { consumer: durable, le: '+Inf' })).toBe(4);
  });

  it('counts an unparseable message as invalid', async () => {
    const durable = 'metrics-invalid';
    await h.bus.publishRaw(ticketCreatedSubject, 'not json', { msgID: 'metrics-garbage' });
    await start({
      consumers: [{ subject: ticketCreatedSubject, durable, handler: () => Promise.resolve() }],
    });
    await waitFor(
      async () =>
        (await metric('bus_messages_handled_total', { consumer: durable, outcome: 'invalid' })) === 1,
      5_000,
      'the invalid message',
    );
    expect(await metric('bus_handler_duration_seconds', { consumer: durable, le: '+Inf' })).toBe(0);
  });
});

describe('consumer lag metrics', () => {
  it('shows the pending messages of a stopped consumer, and 0 once it has drained them', async () => {
    const durable = 'metrics-lag';
    const handled: string[] = [];
    const consumer = {
      subject: ticketCreatedSubject,
      durable,
      handler: (envelope: { id: string }) => {
        handled.push(envelope.id);
        return Promise.resolve();
      },
    };
    const stopped = await start({ consumers: [consumer] });
    await stopped.consumers[0]?.stop();
    for (let i = 0; i < 3; i += 1) await h.bus.publish(createEnvelope(ticketCreatedSubject, ticketData()));

    const labels = { consumer: durable, subject: ticketCreatedSubject };
    expect(await metric('bus_consumer_pending_messages', labels)).toBe(3);
    expect(await metric('bus_consumer_ack_pending_messages', labels)).toBe(0);

    // Another replica, on its own registry, works the backlog off.
    running.push(
      await startMessaging({
        service: 'metrics-test',
        natsUrl: testNatsUrl(),
        prefix: h.bus.prefix,
        logger: silentLogger,
        consumers: [consumer],
        metrics: new Registry(),
      }),
    );
    await waitFor(() => handled.length === 3, 5_000, 'the backlog to be handled');
    await waitFor(
      async () =>
        (await metric('bus_consumer_pending_messages', labels)) === 0 &&
        (await metric('bus_consumer_ack_pending_messages', labels)) === 0,
      5_000,
      'the lag to reach 0',
    );
  });

  it('serves /metrics at once without lag values when JetStream hangs or fails', async () => {
    createConsumerLagMetrics(registry, {
      readLag: () => new Promise(() => undefined),
      logger: silentLogger,
      timeoutMs: 50,
    });
    const failing = new Registry();
    createConsumerLagMetrics(failing, {
      readLag: () => Promise.reject(new Error('no JetStream')),
      logger: silentLogger,
    });

    const started = Date.now();
    const text = await registry.metrics();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(text).toContain('# TYPE bus_consumer_pending_messages gauge');
    expect(text).not.toMatch(/^bus_consumer_pending_messages\{/m);
    await expect(failing.metrics()).resolves.toContain('bus_consumer_ack_pending_messages');
  });
});

describe('outbox metrics', () => {
  it('shows pending rows in the backlog gauges, then 0 once the relay has published them', async () => {
    const envelopes = [
      createEnvelope(ticketCreatedSubject, ticketData()),
      createEnvelope(ticketCreatedSubject, ticketData()),
    ];
    const future = new Date(Date.now() + 60 * 60_000);
    for (const envelope of envelopes) {
      await h.db
        .insert(outbox)
        .values({ id: envelope.id, subject: envelope.subject, envelope, nextAttemptAt: future });
    }
    await h.pool.query(`update outbox set created_at = now() - interval '30 seconds'`);
    const messaging = await start({ outbox: { pool: h.pool, pollIntervalMs: 50 } });

    expect(await metric('outbox_backlog_events')).toBe(2);
    expect(await metric('outbox_oldest_event_age_seconds')).toBeGreaterThanOrEqual(30);
    expect(await metric('outbox_published_total')).toBe(0);

    await h.pool.query('update outbox set next_attempt_at = now()');
    messaging.relay?.wake();
    await waitFor(async () => (await readOutboxBacklog(h.pool)).count === 0, 5_000, 'the relay');

    expect(await metric('outbox_backlog_events')).toBe(0);
    expect(await metric('outbox_oldest_event_age_seconds')).toBe(0);
    expect(await metric('outbox_published_total')).toBe(2);
    expect(await metric('outbox_publish_failures_total')).toBe(0);
  });

  it('counts failed publishes', async () => {
    const metrics = createOutboxMetrics(registry, () => readOutboxBacklog(h.pool), silentLogger);
    const relay = await startOutboxRelay({
      pool: h.pool,
      bus: { publishRaw: () => Promise.reject(new Error('NATS down')) },
      logger: silentLogger,
      pollIntervalMs: 50,
      backoff: { baseMs: 20, capMs: 40 },
      metrics,
    });
    try {
      await h.db.transaction((tx) => enqueue(tx, ticketCreatedSubject, ticketData()));
      await waitFor(async () => (await metric('outbox_publish_failures_total')) >= 2, 5_000, 'failures');
      expect(await metric('outbox_published_total')).toBe(0);
      expect(await metric('outbox_backlog_events')).toBe(1);
    } finally {
      await relay.stop();
    }
  });
});
