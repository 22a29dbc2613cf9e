import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import {
  connectTestBus,
  createCookieKeys,
  createTestDatabase,
  createTestKeys,
  deleteTestStreams,
  randomPrefix,
  type TestDatabase,
} from '@glotixz/common/testing';
import Redis from 'ioredis';

const root = path.resolve(__dirname, '../../..');

/** A service of the system under test, started from its build like `npm start` does. */
export type ServiceName = 'auth' | 'tickets' | 'orders' | 'expiration';

/** One running service process. */
export interface RunningService {
  name: ServiceName;
  url: string;
  process: ChildProcess;
  output: string[];
  /** Stops it with SIGTERM (graceful shutdown) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again with the same environment. */
  restart(): Promise<void>;
}

/** A whole system on private databases, a private bus prefix and a private queue. */
export interface System {
  services: Record<ServiceName, RunningService>;
  prefix: string;
  queuePrefix: string;
  redis: Redis;
  /** Deletes this system's expiry jobs from Redis, as a Redis failure would lose them. */
  loseExpiryJobs(): Promise<number>;
  stop(): Promise<void>;
}

/** Options of {@link startSystem}. */
export interface SystemOptions {
  services: ServiceName[];
  /** Extra environment per service. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitReady(
  url: string,
  child: ChildProcess,
  output: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`service exited with ${child.exitCode}:\n${output.join('')}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${output.join('')}`);
}

function launch(name: ServiceName, env: Record<string, string>, output: string[]): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, name, 'dist', 'main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 500) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

async function startService(name: ServiceName, env: Record<string, string>): Promise<RunningService> {
  const url = `http://127.0.0.1:${env.PORT}`;
  const output: string[] = [];
  const service: RunningService = {
    name,
    url,
    output,
    process: launch(name, env, output),
    async stop() {
      if (service.process.exitCode !== null || service.process.signalCode !== null) return;
      const exited = once(service.process, 'exit');
      service.process.kill('SIGTERM');
      await exited;
    },
    async restart() {
      await service.stop();
      service.process = launch(name, env, output);
      await waitReady(url, service.process, output);
    },
  };
  await waitReady(url, service.process, output);
  return service;
}

/**
 * Starts the named services from their builds (`tsc -b` output) as separate processes, each with
 * its own random database, all on one random bus prefix and BullMQ queue, exactly as they would
 * run in production apart from the isolation.
 */
export async function startSystem(options: SystemOptions): Promise<System> {
  const keys = createTestKeys();
  const prefix = randomPrefix();
  const queuePrefix = `q${prefix}`;
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
  const databases: TestDatabase[] = [];
  const started: RunningService[] = [];
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  // Streams exist before any consumer or publisher starts, and are ours to delete afterwards.
  const bus = await connectTestBus(prefix);

  const shared = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    NATS_URL: natsUrl,
    NATS_PREFIX: prefix,
    REDIS_URL: redisUrl,
    JWT_PUBLIC_KEY: keys.publicKey,
    COOKIE_KEYS: createCookieKeys().join(','),
  };

  const stopAll = async () => {
    await Promise.all(started.map((s) => s.stop()));
    await deleteTestStreams(bus);
    await bus.close();
    const keysLeft = await redis.keys(`${queuePrefix}:*`);
    if (keysLeft.length > 0) await redis.del(...keysLeft);
    redis.disconnect();
    await Promise.all(databases.map((db) => db.drop()));
  };

  try {
    const services = {} as Record<ServiceName, RunningService>;
    for (const name of options.services) {
      const env: Record<string, string> = { ...shared, PORT: String(await freePort()) };
      if (name !== 'expiration') {
        const database = await createTestDatabase();
        databases.push(database);
        env.DATABASE_URL = database.url;
      }
      if (name === 'auth') env.JWT_PRIVATE_KEY = keys.privateKey;
      if (name === 'expiration') env.QUEUE_PREFIX = queuePrefix;
      Object.assign(env, options.env?.[name]);
      const service = await startService(name, env);
      started.push(service);
      services[name] = service;
    }
    return {
      services,
      prefix,
      queuePrefix,
      redis,
      async loseExpiryJobs() {
        const jobKeys = await redis.keys(`${queuePrefix}:*`);
        if (jobKeys.length > 0) await redis.del(...jobKeys);
        return jobKeys.length;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
