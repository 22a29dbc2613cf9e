import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { freePort } from './ports';
import path from 'node:path';
import {
  connectTestBus,
  createCookieKeys,
  createTestDatabase,
  createTestKeys,
  deleteTestStreams,
  randomPrefix,
  type TestDatabase,
  type TestKeys,
} from '@glotixz/common/testing';
import type { Bus } from '@glotixz/common/bus';
import Redis from 'ioredis';

const root = path.resolve(__dirname, '../../..');

/** A service of the system under test, started from its build like `npm start` does. */
export type ServiceName = 'auth' | 'tickets' | 'orders' | 'payments' | 'expiration';

/** Processes beside the services: the Stripe sandbox, the web client and the gateway. */
export type ExtraName = 'stripe-sandbox' | 'client' | 'gateway';

/** One running process of the system. */
export interface RunningService {
  name: ServiceName | ExtraName;
  url: string;
  process: ChildProcess;
  output: string[];
  /** Stops it with SIGTERM (graceful shutdown) and waits for the exit. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL, as a crash would (no shutdown hooks run), and waits for the exit. */
  kill(): Promise<void>;
  /** Starts it again with the same environment. */
  restart(): Promise<void>;
}

/** A whole system on private databases, a private bus prefix and a private queue. */
export interface System {
  services: Record<ServiceName, RunningService>;
  /** The Stripe sandbox, started whenever payments is. */
  sandbox?: RunningService;
  /** The built web client (`next start`), with `web: true`. */
  client?: RunningService;
  /** The gateway in front of everything, routing like infra/routes.json, with `web` or `gateway`. */
  gateway?: RunningService;
  prefix: string;
  queuePrefix: string;
  /** The NATS and Redis servers this system runs on. */
  natsUrl: string;
  redisUrl: string;
  redis: Redis;
  /** Each service's database URL (every service but expiration has one). */
  databases: Partial<Record<ServiceName, string>>;
  /** A bus on this system's prefix, for reading streams (closed by `stop`). */
  bus: Bus;
  /** The signing keys auth uses, so tests can mint tokens for many users without signing them up. */
  keys: TestKeys;
  /** The session cookie keys every service shares, so tests can sign a session cookie. */
  cookieKeys: string[];
  /** Deletes this system's expiry jobs from Redis, as a Redis failure would lose them. */
  loseExpiryJobs(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The orders service's per-buyer limits. Each one left out keeps the service's default
 * (5 holds, 20 placements a minute, a 60 s cool-down).
 */
export interface OrderLimits {
  /** `MAX_HOLDS_PER_BUYER`: orders one buyer may hold awaiting payment at once. */
  maxHoldsPerBuyer?: number;
  /** `ORDER_RATE_MAX` per `ORDER_RATE_WINDOW_SECONDS`: placements one buyer may attempt. */
  rateMax?: number;
  rateWindowSeconds?: number;
  /** `HOLD_COOLDOWN_SECONDS`: a buyer's wait before re-holding a ticket their order lost. */
  cooldownSeconds?: number;
}

/**
 * Limits no scenario reaches, for load and benchmarks where a few buyers place thousands of orders;
 * the limits themselves are exercised by the orders tests and the API tests that set them.
 */
export const unlimitedOrders: OrderLimits = { maxHoldsPerBuyer: 1_000_000, rateMax: 1_000_000 };

function orderLimitsEnv(limits: OrderLimits = {}): Record<string, string> {
  const env: Record<string, string> = {};
  if (limits.maxHoldsPerBuyer !== undefined) env.MAX_HOLDS_PER_BUYER = String(limits.maxHoldsPerBuyer);
  if (limits.rateMax !== undefined) env.ORDER_RATE_MAX = String(limits.rateMax);
  if (limits.rateWindowSeconds !== undefined)
    env.ORDER_RATE_WINDOW_SECONDS = String(limits.rateWindowSeconds);
  if (limits.cooldownSeconds !== undefined) env.HOLD_COOLDOWN_SECONDS = String(limits.cooldownSeconds);
  return env;
}

/** Options of {@link startSystem}. */
export interface SystemOptions {
  services: ServiceName[];
  /** The orders service's per-buyer limits (an explicit `env.orders` entry wins). */
  orderLimits?: OrderLimits;
  /** Extra environment per process. */
  env?: Partial<Record<ServiceName | ExtraName, Record<string, string>>>;
  /**
   * Also start the web client from its production build (`npm run build --workspace client`
   * first) and the gateway (scripts/gateway.mjs) in front of the services and the client.
   */
  web?: boolean;
  /**
   * Start the gateway in front of the services without the web client (implied by `web`), for
   * API tests that go through it as a browser's requests do; paths outside `/api` answer 502.
   */
  gateway?: boolean;
  /** A NATS server other than the shared test one, e.g. a private one a fault test stops and starts. */
  natsUrl?: string;
  /** A Redis server other than the shared test one. */
  redisUrl?: string;
}

/** Where the Stripe webhook lands on payments. */
const WEBHOOK_PATH = '/api/payments/webhook';

/** How a process shows it is up: a path and the status it answers there when ready. */
interface Readiness {
  path: string;
  status: number;
}

async function waitReady(
  url: string,
  child: ChildProcess,
  output: string[],
  readiness: Readiness = { path: '/readyz', status: 200 },
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}:\n${output.join('')}`);
    try {
      const res = await fetch(`${url}${readiness.path}`);
      await res.arrayBuffer();
      if (res.status === readiness.status) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${output.join('')}`);
}

/** How to run one process: its command line (relative to the repository root) and working folder. */
interface Launch {
  command: string[];
  cwd?: string;
  readiness?: Readiness;
}

function launch(spec: Launch, env: Record<string, string>, output: string[]): ChildProcess {
  const [executable, ...args] = spec.command;
  if (!executable) throw new Error('empty command');
  const child = spawn(executable, args, {
    cwd: spec.cwd ?? root,
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

async function startProcess(
  name: ServiceName | ExtraName,
  spec: Launch,
  env: Record<string, string>,
): Promise<RunningService> {
  const url = `http://127.0.0.1:${env.PORT}`;
  const output: string[] = [];
  const service: RunningService = {
    name,
    url,
    output,
    process: launch(spec, env, output),
    async stop() {
      if (service.process.exitCode !== null || service.process.signalCode !== null) return;
      const exited = once(service.process, 'exit');
      service.process.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (service.process.exitCode !== null || service.process.signalCode !== null) return;
      const exited = once(service.process, 'exit');
      service.process.kill('SIGKILL');
      await exited;
    },
    async restart() {
      await service.stop();
      service.process = launch(spec, env, output);
      await waitReady(url, service.process, output, spec.readiness);
    },
  };
  try {
    await waitReady(url, service.process, output, spec.readiness);
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}

function serviceLaunch(name: ServiceName): Launch {
  return { command: [process.execPath, path.join(root, name, 'dist', 'main.js')] };
}

function clientLaunch(port: number): Launch {
  const clientDir = path.join(root, 'client');
  if (!existsSync(path.join(clientDir, '.next', 'BUILD_ID'))) {
    throw new Error('the web client is not built: run `npm run build --workspace client` first');
  }
  const nextBin = require.resolve('next/dist/bin/next', { paths: [clientDir] });
  return {
    command: [process.execPath, nextBin, 'start', '--port', String(port), '--hostname', '127.0.0.1'],
    cwd: clientDir,
    readiness: { path: '/', status: 200 },
  };
}

/**
 * Starts the named services from their builds (`tsc -b` output) as separate processes, each with
 * its own random database, all on one random bus prefix and BullMQ queue, exactly as they would
 * run in production apart from the isolation. Payments comes with the Stripe sandbox
 * (scripts/stripe-sandbox) sending it signed webhooks; `web: true` adds the built client and the
 * gateway, so a browser sees one origin as it does behind `npm start`.
 */
export async function startSystem(options: SystemOptions): Promise<System> {
  const keys = createTestKeys();
  const cookieKeys = createCookieKeys();
  const prefix = randomPrefix();
  const queuePrefix = `q${prefix}`;
  const redisUrl = options.redisUrl ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const natsUrl = options.natsUrl ?? process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
  const databases: TestDatabase[] = [];
  const databaseUrls: Partial<Record<ServiceName, string>> = {};
  const started: RunningService[] = [];
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  // Streams exist before any consumer or publisher starts, and are ours to delete afterwards.
  const bus = await connectTestBus(prefix, { url: natsUrl });

  const shared = {
    // Loopback only, as under `npm start`: nothing reaches a service except through the gateway.
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    NATS_URL: natsUrl,
    NATS_PREFIX: prefix,
    REDIS_URL: redisUrl,
    JWT_PUBLIC_KEY: keys.publicKey,
    COOKIE_KEYS: cookieKeys.join(','),
  };
  const stripe = {
    STRIPE_SECRET_KEY: `sk_test_${randomBytes(12).toString('hex')}`,
    STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('hex')}`,
  };

  const stopAll = async () => {
    // The gateway and the client first, so nothing new reaches the services while they stop.
    const front = started.filter((s) => s.name === 'gateway' || s.name === 'client');
    await Promise.all(front.map((s) => s.stop()));
    await Promise.all(started.map((s) => s.stop()));
    await deleteTestStreams(bus);
    await bus.close();
    const keysLeft = await redis.keys(`${queuePrefix}:*`);
    if (keysLeft.length > 0) await redis.del(...keysLeft);
    redis.disconnect();
    await Promise.all(databases.map((db) => db.drop()));
  };

  try {
    const ports = new Map<ServiceName, number>();
    for (const name of options.services) ports.set(name, await freePort());

    let sandbox: RunningService | undefined;
    const paymentsPort = ports.get('payments');
    if (paymentsPort !== undefined) {
      const port = await freePort();
      sandbox = await startProcess(
        'stripe-sandbox',
        {
          command: [process.execPath, path.join(root, 'scripts', 'stripe-sandbox', 'dist', 'main.js')],
          readiness: { path: '/healthz', status: 200 },
        },
        {
          PORT: String(port),
          STRIPE_SANDBOX_PORT: String(port),
          STRIPE_SANDBOX_HOST: '127.0.0.1',
          STRIPE_WEBHOOK_URL: `http://127.0.0.1:${paymentsPort}${WEBHOOK_PATH}`,
          STRIPE_WEBHOOK_BASE_DELAY_MS: '200',
          LOG_LEVEL: 'warn',
          ...stripe,
          ...options.env?.['stripe-sandbox'],
        },
      );
      started.push(sandbox);
    }

    const services = {} as Record<ServiceName, RunningService>;
    for (const name of options.services) {
      const env: Record<string, string> = { ...shared, PORT: String(ports.get(name)) };
      if (name !== 'expiration') {
        const database = await createTestDatabase();
        databases.push(database);
        databaseUrls[name] = database.url;
        env.DATABASE_URL = database.url;
      }
      if (name === 'auth') {
        env.JWT_PRIVATE_KEY = keys.privateKey;
        // Every test signs its users up from this one address; the limit's own test sets it.
        env.SIGNUP_MAX_PER_ADDRESS = '100000';
      }
      if (name === 'expiration') env.QUEUE_PREFIX = queuePrefix;
      if (name === 'payments' && sandbox) Object.assign(env, stripe, { STRIPE_API_BASE: sandbox.url });
      if (name === 'orders') Object.assign(env, orderLimitsEnv(options.orderLimits));
      Object.assign(env, options.env?.[name]);
      const service = await startProcess(name, serviceLaunch(name), env);
      started.push(service);
      services[name] = service;
    }

    let client: RunningService | undefined;
    let gateway: RunningService | undefined;
    const clientPort = await freePort();
    if (options.web || options.gateway) {
      const gatewayPort = await freePort();
      const upstreams: Record<string, number> = { client: clientPort };
      for (const [name, port] of ports) upstreams[name] = port;
      // The gateway first: the client renders its pages through it.
      gateway = await startProcess(
        'gateway',
        {
          command: [process.execPath, path.join(root, 'scripts', 'gateway.mjs')],
          readiness: { path: '/api/ready-probe', status: 404 },
        },
        {
          PORT: String(gatewayPort),
          GATEWAY_PORT: String(gatewayPort),
          GATEWAY_HOST: '127.0.0.1',
          GATEWAY_UPSTREAMS: JSON.stringify(upstreams),
          ...options.env?.gateway,
        },
      );
      started.push(gateway);
    }
    if (options.web && gateway) {
      client = await startProcess('client', clientLaunch(clientPort), {
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(clientPort),
        API_URL: gateway.url,
        ...options.env?.client,
      });
      started.push(client);
    }

    return {
      services,
      ...(sandbox ? { sandbox } : {}),
      ...(client ? { client } : {}),
      ...(gateway ? { gateway } : {}),
      prefix,
      queuePrefix,
      natsUrl,
      redisUrl,
      redis,
      databases: databaseUrls,
      bus,
      keys,
      cookieKeys,
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
