import { createEnvelope, streams, ticketCreatedSubject } from '../src/events';
import type { StreamName } from '../src/events';
import pino from 'pino';
import { connectBus, defaultStreamReplicas, type Bus } from '../src/bus';
import { connectTestBus, deleteTestStreams, readSubject, testNatsUrl } from '../src/testing/nats';
import { ticketData } from './support/harness';

let bus: Bus;

beforeAll(async () => {
  bus = await connectTestBus();
});

afterAll(async () => {
  await deleteTestStreams(bus);
  await bus.close();
});

describe('Bus', () => {
  it('provisions every stream under its prefix, on file storage, and again without error', async () => {
    await bus.ensureStreams();
    for (const name of Object.keys(streams) as StreamName[]) {
      const info = await bus.jsm.streams.info(bus.streamName(name));
      expect(info.config.name).toBe(`${bus.prefix.toUpperCase()}_${name}`);
      expect(info.config.subjects).toEqual([`${bus.prefix}.${streams[name]}`]);
      expect(info.config.storage).toBe('file');
      expect(info.config.duplicate_window).toBeGreaterThanOrEqual(120 * 1e9);
      // One server, no cluster: one replica unless configured (a cluster's streams get three).
      expect(info.config.num_replicas).toBe(1);
    }
  });

  it('gives streams three replicas by default when the server is part of a cluster', () => {
    expect(defaultStreamReplicas({ info: undefined })).toBe(1);
    expect(defaultStreamReplicas(bus.nc)).toBe(1);
    expect(defaultStreamReplicas({ info: { ...bus.nc.info!, cluster: 'glotixz' } })).toBe(3);
  });

  it('updates a stream whose configuration changed', async () => {
    const name = bus.streamName('TICKETS');
    const longer = await connectBus({
      servers: testNatsUrl(),
      name: 'test',
      prefix: bus.prefix,
      logger: pino({ level: 'silent' }),
      duplicateWindowMs: 180_000,
    });
    try {
      await longer.ensureStreams();
      expect((await bus.jsm.streams.info(name)).config.duplicate_window).toBe(180_000 * 1e6);
    } finally {
      await longer.close();
    }
  });

  it('stores an event once however often it is published (msgID = event id)', async () => {
    const envelope = createEnvelope(ticketCreatedSubject, ticketData());

    const first = await bus.publish(envelope);
    const again = await bus.publish(envelope);

    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ ...first, duplicate: true });
    const stored = (await readSubject(bus, ticketCreatedSubject)).filter(
      (m) => (m.data as { id: string }).id === envelope.id,
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]!.data).toEqual(envelope);
  });

  it('refuses to publish an envelope that breaks its contract', async () => {
    const envelope = createEnvelope(ticketCreatedSubject, ticketData());
    const broken = { ...envelope, data: { ...envelope.data, price: 12.5 } };
    const before = (await readSubject(bus, ticketCreatedSubject)).length;

    await expect(bus.publish(broken)).rejects.toThrow(/price/);
    expect(await readSubject(bus, ticketCreatedSubject)).toHaveLength(before);
  });

  it('carries headers with the message', async () => {
    const envelope = createEnvelope(ticketCreatedSubject, ticketData());
    await bus.publish(envelope, { headers: { traceparent: '00-abc-def-01' } });
    const stored = (await readSubject(bus, ticketCreatedSubject)).find(
      (m) => (m.data as { id: string }).id === envelope.id,
    );
    expect(stored?.headers).toMatchObject({ traceparent: '00-abc-def-01' });
  });

  it('rejects a prefix that would break subject and stream names', async () => {
    await expect(connectTestBus('bad.prefix', { ensureStreams: false })).rejects.toThrow(
      /invalid bus prefix/,
    );
  });
});
