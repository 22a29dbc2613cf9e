import { randomUUID } from 'node:crypto';
import type { Bus } from '@glotixz/common/bus';
import { sleep, waitFor, useHarness } from '@glotixz/common/testing';
import { expirationEventId } from '../src/expirations/expiration-event-id';
import { fireExpiry } from '../src/expirations/expiration.worker';
import { startExpirationHarness, type StoredExpiration } from './expiration-harness';

const h = useHarness(startExpirationHarness);

function inMs(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

async function firstExpiration(orderId: string, timeoutMs: number): Promise<StoredExpiration> {
  const [first] = await waitFor(
    async () => {
      const found = await h.expirations(orderId);
      return found.length > 0 ? found : undefined;
    },
    timeoutMs,
    `expiration.completed for order ${orderId}`,
  );
  return first!;
}

/** Waits until the service's consumer has acked every order.created published so far. */
async function allAcked(timeoutMs: number, what: string): Promise<void> {
  await waitFor(
    async () => {
      const info = await h.bus.jsm.consumers.info(h.bus.streamName('ORDERS'), 'expiration-order-created');
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    timeoutMs,
    what,
  );
}

async function jobState(orderId: string): Promise<string> {
  return h.queue.getJobState(orderId);
}

describe('order expiry', () => {
  it('publishes expiration.completed at the order’s expiresAt, not before', async () => {
    const instance = await h.startInstance();
    const order = await h.publishOrderCreated({ expiresAt: inMs(1_000) });
    const expiresAt = Date.parse(order.expiresAt);

    await waitFor(async () => (await jobState(order.id)) === 'delayed', 2_000, 'the delayed job');
    const job = await h.queue.getJob(order.id);
    expect(job?.data).toEqual({ orderId: order.id, expiresAt: order.expiresAt });
    expect(job!.timestamp + job!.delay).toBe(expiresAt);

    const event = await firstExpiration(order.id, 2_500);
    expect(event.storedAt).toBeGreaterThanOrEqual(expiresAt);
    expect(event.storedAt).toBeLessThan(expiresAt + 1_500);
    expect(event.envelope).toMatchObject({
      id: expirationEventId(order.id),
      subject: 'expiration.completed',
      occurredAt: order.expiresAt,
      data: { orderId: order.id },
    });
    await waitFor(async () => (await jobState(order.id)) === 'completed', 2_000, 'the completed job');
    await instance.stop();
  });

  it('keeps one job and publishes one event when order.created arrives twice', async () => {
    const instance = await h.startInstance();
    const order = await h.publishOrderCreated({ expiresAt: inMs(1_200) });
    await waitFor(async () => (await jobState(order.id)) === 'delayed', 2_000, 'the delayed job');
    const first = await h.queue.getJob(order.id);

    // A second event for the same order (another event id, so JetStream stores it too).
    await sleep(300);
    await h.publishOrderCreated(order);
    await allAcked(2_000, 'the repeat to be acked');
    const again = await h.queue.getJob(order.id);
    expect(again?.timestamp).toBe(first?.timestamp);
    expect(again?.delay).toBe(first?.delay);
    expect(await h.queue.getJobCounts('delayed', 'waiting', 'active')).toMatchObject({
      delayed: 1,
      waiting: 0,
      active: 0,
    });

    await firstExpiration(order.id, 2_500);
    await sleep(300);
    expect(await h.expirations(order.id)).toHaveLength(1);
    await instance.stop();
  });

  it('schedules orders that arrive together, each at its own expiresAt, a repeat among them once', async () => {
    // Published before the service starts, so that they are delivered to it together.
    const orders = [];
    for (let i = 0; i < 20; i += 1)
      orders.push(await h.publishOrderCreated({ expiresAt: inMs(60_000 + i * 1_000) }));
    await h.publishOrderCreated(orders[3]);
    const instance = await h.startInstance();
    await allAcked(5_000, 'every order.created to be acked');
    for (const order of orders) {
      const job = await h.queue.getJob(order.id);
      expect(job?.data).toEqual({ orderId: order.id, expiresAt: order.expiresAt });
      expect(job!.timestamp + job!.delay).toBe(Date.parse(order.expiresAt));
    }
    expect(await h.queue.getJobCounts('delayed')).toMatchObject({ delayed: orders.length });
    await instance.stop();
  });

  it('fires an order that is already overdue at once', async () => {
    const instance = await h.startInstance();
    const order = await h.publishOrderCreated({ expiresAt: inMs(-60_000) });
    const published = Date.now();
    const event = await firstExpiration(order.id, 1_500);
    expect(event.storedAt - published).toBeLessThan(1_500);
    expect(event.envelope.occurredAt).toBe(order.expiresAt);
    await instance.stop();
  });

  it('keeps the job across a restart and fires it once, from the new instance', async () => {
    const first = await h.startInstance();
    const order = await h.publishOrderCreated({ expiresAt: inMs(1_500) });
    await waitFor(async () => (await jobState(order.id)) === 'delayed', 2_000, 'the delayed job');
    await first.stop();

    await sleep(200);
    expect(Date.now()).toBeLessThan(Date.parse(order.expiresAt));
    expect(await h.expirations(order.id)).toEqual([]);
    expect(await jobState(order.id)).toBe('delayed');

    const second = await h.startInstance();
    const event = await firstExpiration(order.id, 3_000);
    expect(event.storedAt).toBeGreaterThanOrEqual(Date.parse(order.expiresAt));
    await waitFor(async () => (await jobState(order.id)) === 'completed', 2_000, 'the completed job');
    await sleep(300);
    expect(await h.expirations(order.id)).toHaveLength(1);
    await second.stop();
  });

  it('retries the job with backoff while NATS refuses the publish, then publishes the event once', async () => {
    const attempts: number[] = [];
    const instance = await h.startInstance({
      publisher: (bus) => ({
        publish: (envelope) => {
          attempts.push(Date.now());
          if (attempts.length <= 2) return Promise.reject(new Error('TIMEOUT: no PubAck'));
          return bus.publish(envelope);
        },
      }),
    });
    const order = await h.publishOrderCreated({ expiresAt: inMs(0) });

    await waitFor(
      async () => attempts.length >= 1 && (await jobState(order.id)) === 'delayed',
      2_000,
      'a retry',
    );
    const retrying = await h.queue.getJob(order.id);
    expect(retrying?.attemptsMade).toBe(1);
    expect(retrying?.failedReason).toBe('TIMEOUT: no PubAck');
    expect(await h.expirations(order.id)).toEqual([]);

    const event = await firstExpiration(order.id, 6_000);
    expect(event.envelope.id).toBe(expirationEventId(order.id));
    await waitFor(async () => (await jobState(order.id)) === 'completed', 2_000, 'the completed job');
    expect(attempts).toHaveLength(3);
    // Exponential backoff with 20 % jitter: about 1 s, then about 2 s.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(700);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(1_500);
    expect(await h.expirations(order.id)).toHaveLength(1);
    expect(await instance.metrics.jobFailures.get()).toMatchObject({
      values: [{ labels: { outcome: 'retrying' }, value: 2 }],
    });
    await instance.stop();
  });
});

describe('corrupt jobs', () => {
  it('fails a job whose data breaks the contract at once, without retries or an event', async () => {
    const instance = await h.startInstance();
    const orderId = randomUUID();
    await h.queue.add('expire-order', { orderId, expiresAt: 'tomorrow' }, { jobId: orderId, attempts: 5 });

    await waitFor(async () => (await jobState(orderId)) === 'failed', 2_000, 'the failed job');
    const job = await h.queue.getJob(orderId);
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/invalid job data/);
    expect(await h.expirations(orderId)).toEqual([]);
    expect(await instance.metrics.jobFailures.get()).toMatchObject({
      values: [{ labels: { outcome: 'given_up' }, value: 1 }],
    });
    await instance.stop();
  });
});

describe('fireExpiry', () => {
  it('publishes the same event id on every run of a job, so JetStream stores it once', async () => {
    const bus: Bus = h.bus;
    const data = { orderId: randomUUID(), expiresAt: inMs(-1_000) };
    const first = await fireExpiry(data, bus);
    const second = await fireExpiry(data, bus);
    expect(first).toMatchObject({ eventId: expirationEventId(data.orderId), duplicate: false });
    expect(second).toMatchObject({ eventId: first.eventId, seq: first.seq, duplicate: true });
    expect(await h.expirations(data.orderId)).toHaveLength(1);
  });
});
