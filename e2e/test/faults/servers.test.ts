import { existsSync } from 'node:fs';
import { connectTestBus, deleteTestStreams, randomPrefix, readSubject } from '@glotixz/common/testing';
import { createEnvelope, ticketCreatedSubject } from '@glotixz/common/events';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { startNats, startRedis, type PrivateServer } from '../support/servers';
import { reconnected } from './support';

/** The private servers the fault scenarios stand on keep their data across a restart on the same port. */
describe('private servers for fault tests', () => {
  const owned: PrivateServer[] = [];
  afterAll(async () => {
    await Promise.all(owned.map((s) => s.dispose()));
  });

  it('restarts NATS on the same port with its streams, and disposes of its store', async () => {
    const nats = await startNats();
    owned.push(nats);
    const bus = await connectTestBus(randomPrefix(), { url: nats.url });
    try {
      const envelope = createEnvelope(ticketCreatedSubject, {
        id: randomUUID(),
        title: 'Kept',
        price: 100,
        currency: 'usd',
        userId: randomUUID(),
        orderId: null,
        version: 0,
      });
      await bus.publish(envelope);
      await nats.restart();
      expect(nats.running).toBe(true);
      await reconnected(bus);
      const stored = await readSubject(bus, ticketCreatedSubject);
      expect(stored.map((m) => (m.data as { id: string }).id)).toEqual([envelope.id]);
      await deleteTestStreams(bus);
    } finally {
      await bus.close();
    }
    await nats.dispose();
    expect(nats.running).toBe(false);
    expect(existsSync(nats.dir)).toBe(false);
  });

  it('keeps Redis keys through a kill with AOF, and loses them without persistence', async () => {
    const durable = await startRedis({ persistence: 'aof' });
    const volatile = await startRedis({ persistence: 'none' });
    owned.push(durable, volatile);
    for (const server of [durable, volatile]) {
      const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      await client.set('k', 'v');
      client.disconnect();
      await server.kill();
      await server.start();
      const again = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await again.connect();
      expect(await again.get('k')).toBe(server === durable ? 'v' : null);
      again.disconnect();
    }
  });
});
