import { createEnvelope, ticketCreatedSubject } from '../src/events';
import type { Envelope } from '../src/events';
import { deadLetterSchema, RetryLater } from '../src/bus';
import type { ConsumeOptions, DeadLetter, MessageContext } from '../src/bus';
import type { Bus } from '../src/bus';
import { connectTestBus, deleteTestStreams, readSubject } from '../src/testing/nats';
import { sleep, ticketData, waitFor } from './support/harness';

type TicketCreated = Envelope<typeof ticketCreatedSubject>;

let bus: Bus;
const durable = 'consume-test';

beforeEach(async () => {
  bus = await connectTestBus();
});

afterEach(async () => {
  await deleteTestStreams(bus);
  await bus.close();
});

async function publishTicket(title?: string): Promise<TicketCreated> {
  const envelope = createEnvelope(ticketCreatedSubject, ticketData(title ? { title } : {}));
  await bus.publish(envelope);
  return envelope;
}

async function deadLetters(): Promise<DeadLetter[]> {
  const messages = await readSubject(bus, `deadletter.${durable}`);
  return messages.map((m) => deadLetterSchema.parse(m.data));
}

async function settled(): Promise<boolean> {
  const info = await bus.jsm.consumers.info(bus.streamName('TICKETS'), durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

async function consume(options: Omit<ConsumeOptions<typeof ticketCreatedSubject>, 'subject'>): Promise<void> {
  await bus.consume({ subject: ticketCreatedSubject, ...options });
}

describe('consume()', () => {
  it('dead-letters a message that fails on every delivery after maxDeliver, while the others keep flowing', async () => {
    const poison = await publishTicket('poison');
    const good = [await publishTicket(), await publishTicket(), await publishTicket()];
    const poisonDeliveries: number[] = [];
    const handled: string[] = [];

    await consume({
      durable,
      maxDeliver: 3,
      backoff: { baseMs: 150, capMs: 300 },
      handler: (envelope, context) => {
        if (envelope.id === poison.id) {
          poisonDeliveries.push(context.deliveryCount);
          return Promise.reject(new Error('boom'));
        }
        handled.push(envelope.id);
        return Promise.resolve();
      },
    });

    await waitFor(() => handled.length === good.length, 2_000, 'the good messages');
    expect(poisonDeliveries).toEqual([1]);
    expect(handled).toEqual(good.map((e) => e.id));

    const [letter, ...more] = await waitFor(
      async () => {
        const letters = await deadLetters();
        return letters.length > 0 ? letters : undefined;
      },
      5_000,
      'the dead letter',
    );
    expect(more).toEqual([]);
    expect(letter).toMatchObject({
      reason: 'failed',
      consumer: durable,
      subject: ticketCreatedSubject,
      deliveries: 3,
      error: 'boom',
    });
    expect((JSON.parse(letter!.payload) as TicketCreated).id).toBe(poison.id);

    await sleep(400);
    expect(poisonDeliveries).toEqual([1, 2, 3]);
    expect(await settled()).toBe(true);
  });

  it('dead-letters invalid payloads at once, without calling the handler', async () => {
    const seen: string[] = [];
    await bus.publishRaw(ticketCreatedSubject, 'not json', { msgID: 'garbage-1' });
    const invalidData = {
      ...createEnvelope(ticketCreatedSubject, ticketData()),
      data: { ...ticketData(), price: -1 },
    };
    await bus.publishRaw(ticketCreatedSubject, JSON.stringify(invalidData), { msgID: invalidData.id });
    const good = await publishTicket();

    await consume({
      durable,
      maxDeliver: 5,
      handler: (envelope) => {
        seen.push(envelope.id);
        return Promise.resolve();
      },
    });

    await waitFor(() => seen.includes(good.id), 2_000, 'the valid message');
    const letters = await waitFor(
      async () => {
        const found = await deadLetters();
        return found.length === 2 ? found : undefined;
      },
      2_000,
      'two dead letters',
    );
    expect(letters.map((l) => [l.reason, l.deliveries])).toEqual([
      ['invalid', 1],
      ['invalid', 1],
    ]);
    expect(letters[0]!.payload).toBe('not json');
    expect(letters[0]!.error).toMatch(/invalid JSON/);
    expect(letters[1]!.error).toMatch(/price/);
    expect(seen).not.toContain(invalidData.id);
    expect(await settled()).toBe(true);
  });

  it('redelivers after the requested delay on RetryLater, however often, without dead-lettering', async () => {
    await publishTicket();
    const calls: number[] = [];

    await consume({
      durable,
      maxDeliver: 1,
      handler: () => {
        calls.push(Date.now());
        if (calls.length === 1) return Promise.reject(new RetryLater(400, 'version gap'));
        if (calls.length <= 3) return Promise.reject(new RetryLater(50));
        return Promise.resolve();
      },
    });

    await waitFor(() => calls.length === 4, 5_000, 'four deliveries');
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(380);
    await waitFor(() => settled(), 2_000, 'the ack');
    expect(await deadLetters()).toEqual([]);
  });

  it('dead-letters a message still asking to retry later past its limit', async () => {
    await publishTicket();
    let calls = 0;

    await consume({
      durable,
      retryLaterLimitMs: 300,
      handler: () => {
        calls += 1;
        return Promise.reject(new RetryLater(100, 'waiting for version 1'));
      },
    });

    const [letter, ...more] = await waitFor(
      async () => {
        const found = await deadLetters();
        return found.length > 0 ? found : undefined;
      },
      5_000,
      'the dead letter',
    );
    expect(more).toEqual([]);
    expect(letter!.reason).toBe('failed');
    expect(letter!.error).toMatch(/still waiting after \d+ s: waiting for version 1/);
    expect(calls).toBeGreaterThan(1);
    expect(await settled()).toBe(true);
  });

  it('retries a failing handler with backoff and acks once it succeeds', async () => {
    await publishTicket();
    const contexts: MessageContext[] = [];
    const calls: number[] = [];

    await consume({
      durable,
      maxDeliver: 5,
      backoff: { baseMs: 100, capMs: 1_000 },
      handler: (_envelope, context) => {
        contexts.push(context);
        calls.push(Date.now());
        return calls.length < 3 ? Promise.reject(new Error('database unavailable')) : Promise.resolve();
      },
    });

    await waitFor(() => settled(), 5_000, 'the ack');
    expect(contexts.map((c) => c.deliveryCount)).toEqual([1, 2, 3]);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(90);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(190);
    expect(await deadLetters()).toEqual([]);
  });

  it('hands NATS headers to the handler', async () => {
    const envelope = createEnvelope(ticketCreatedSubject, ticketData());
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await bus.publish(envelope, { headers: { traceparent } });
    let headers: Record<string, string> | undefined;

    await consume({
      durable,
      handler: (_envelope, context) => {
        headers = context.headers;
        return Promise.resolve();
      },
    });

    await waitFor(() => headers, 2_000, 'the message');
    expect(headers).toMatchObject({ traceparent });
  });

  it('stop() waits for the handler in flight', async () => {
    await publishTicket();
    let started = false;
    let finished = false;
    const handle = await bus.consume({
      subject: ticketCreatedSubject,
      durable,
      handler: async () => {
        started = true;
        await sleep(300);
        finished = true;
      },
    });

    await waitFor(() => started, 2_000, 'the handler to start');
    await handle.stop();
    expect(finished).toBe(true);
  });
});
