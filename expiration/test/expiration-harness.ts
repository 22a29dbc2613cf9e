import { randomBytes, randomUUID } from 'node:crypto';
import type { Bus } from '@glotixz/common/bus';
import {
  createEnvelope,
  expirationCompletedSubject,
  orderCreatedSubject,
  streamFor,
  type Envelope,
  type OrderCreatedData,
} from '@glotixz/common/events';
import { bootService, type BootOptions } from '@glotixz/common/service';
import { connectTestBus, deleteTestStreams, randomPrefix, testNatsUrl } from '@glotixz/common/testing';
import { Redis } from 'ioredis';
import pino from 'pino';
import { configSchema, type Config } from '../src/config';
import { createExpirationQueue, type ExpirationQueue } from '../src/expirations/expiration.queue';
import { declareExpirationService, type ExpirationServiceOptions } from '../src/service';

/** The Redis tests use: `TEST_REDIS_URL`, or the local default. */
export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A booted service, as `startService` brings it up before listening. */
type ExpirationService = Awaited<ReturnType<typeof bootExpiration>>;

function bootExpiration(options: ExpirationServiceOptions, boot: BootOptions<Config>) {
  return bootService(declareExpirationService(options), boot);
}

/** A running service instance, stopped through the same closers as in production. */
export interface TestInstance extends ExpirationService {
  stop(): Promise<void>;
}

/** An `expiration.completed` event read back from its stream, with the time JetStream stored it. */
export interface StoredExpiration {
  envelope: Envelope<typeof expirationCompletedSubject>;
  storedAt: number;
}

/** One isolated world: a random bus prefix, a random queue, and ways to drive and inspect it. */
export interface ExpirationHarness {
  config: Config;
  /** The test's own bus on the same prefix: publishes order.created, reads the streams. */
  bus: Bus;
  /** A queue handle on the same Redis keys, for inspecting jobs. */
  queue: ExpirationQueue;
  startInstance(options?: ExpirationServiceOptions): Promise<TestInstance>;
  publishOrderCreated(overrides?: Partial<OrderCreatedData>, eventId?: string): Promise<OrderCreatedData>;
  expirations(orderId?: string): Promise<StoredExpiration[]>;
  close(): Promise<void>;
}

/** Sets up a random bus prefix and queue name against the local NATS and Redis (or `redisUrl`). */
export async function startExpirationHarness(redisUrl: string = testRedisUrl()): Promise<ExpirationHarness> {
  const prefix = randomPrefix();
  const bus = await connectTestBus(prefix);
  const config = configSchema.parse({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    NATS_URL: testNatsUrl(),
    NATS_PREFIX: prefix,
    REDIS_URL: redisUrl,
    QUEUE_NAME: `expiration-${randomBytes(6).toString('hex')}`,
    QUEUE_PREFIX: 'glotixz-test',
  });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createExpirationQueue(redis, { name: config.QUEUE_NAME, prefix: config.QUEUE_PREFIX });
  queue.on('error', () => undefined);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const running = new Set<TestInstance>();

  async function startInstance(options: ExpirationServiceOptions = {}): Promise<TestInstance> {
    const closers: { name: string; close: () => Promise<unknown> }[] = [];
    const stop = async () => {
      for (const { close } of closers.splice(0).reverse()) await close();
    };
    let service: ExpirationService;
    try {
      service = await bootExpiration(options, {
        config,
        logger,
        lifecycle: { onShutdown: (name, close) => void closers.push({ name, close }) },
      });
    } catch (err) {
      await stop();
      throw err;
    }
    const instance: TestInstance = {
      ...service,
      stop: async () => {
        running.delete(instance);
        await stop();
      },
    };
    running.add(instance);
    return instance;
  }

  return {
    config,
    bus,
    queue,
    startInstance,
    async publishOrderCreated(overrides = {}, eventId = randomUUID()) {
      const data: OrderCreatedData = {
        id: randomUUID(),
        status: 'awaiting_payment',
        userId: randomUUID(),
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        version: 0,
        ticket: { id: randomUUID(), title: 'Concert', price: 2500, currency: 'usd' },
        ...overrides,
      };
      await bus.publish(createEnvelope(orderCreatedSubject, data, { id: eventId }));
      return data;
    },
    async expirations(orderId) {
      const stream = bus.streamName(streamFor(expirationCompletedSubject));
      const subject = bus.subjectFor(expirationCompletedSubject);
      const info = await bus.jsm.streams.info(stream);
      const found: StoredExpiration[] = [];
      if (info.state.messages === 0) return found;
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq += 1) {
        const stored = await bus.jsm.streams.getMessage(stream, { seq });
        if (!stored || stored.subject !== subject) continue;
        const envelope = stored.json<Envelope<typeof expirationCompletedSubject>>();
        if (orderId === undefined || envelope.data.orderId === orderId) {
          found.push({ envelope, storedAt: stored.time.getTime() });
        }
      }
      return found;
    },
    async close() {
      for (const instance of [...running]) await instance.stop();
      await queue.obliterate({ force: true });
      await queue.close();
      await redis.quit();
      await deleteTestStreams(bus);
      await bus.close();
    },
  };
}
