import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
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
import {
  launchCommand,
  launchEnv,
  processes,
  readiness,
  services,
  workspaceDir,
} from '../../../scripts/services.mjs';
import { eticketKeysFrom, newP256PrivateKey } from '../../../scripts/lib/keys.mjs';
import { exited, stopChild } from '../../../scripts/lib/proc.mjs';
import { freePort } from './ports';

const root = path.resolve(__dirname, '../../..');

/** A service of the system under test (an entry of the launch spec, scripts/services.mjs), started from its build. */
export type ServiceName = (typeof services)[number]['name'];

/** Processes beside the services: MailDev, the Stripe sandbox, the web client and the gateway. */
export type ExtraName = 'maildev' | 'stripe-sandbox' | 'client' | 'gateway';

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
  /**
   * Starts it again with the same environment; `run` adds variables and Node options for this
   * run only (e.g. `--cpu-prof` to profile one measured run).
   */
  restart(run?: RunOptions): Promise<void>;
}

/** What one run of a process adds to its launch: environment variables and Node options. */
export interface RunOptions {
  env?: Record<string, string>;
  /** Options for `node` before the script (only for processes the launch spec runs with node). */
  nodeArgs?: string[];
}

/** A whole system on private databases, a private bus prefix and a private queue. */
export interface System {
  /** Each service's first (or only) process. */
  services: Record<ServiceName, RunningService>;
  /** Every process of each service, the first one included: one, or as many as `replicas` asked. */
  replicas: Record<ServiceName, RunningService[]>;
  /** The Stripe sandbox, started whenever payments is. */
  sandbox?: RunningService;
  /** MailDev, started whenever notifications is: its `url` serves the REST API (`GET /email`). */
  mail?: RunningService;
  /** MailDev's SMTP server, beside `mail`. */
  smtpUrl?: string;
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
  /** The secret key payments and the Stripe sandbox share, for tests acting as Stripe's dashboard. */
  stripeSecretKey: string;
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
  /**
   * Processes per service (default 1), each on its own port and sharing the service's database and
   * durable consumers; the gateway balances across them.
   */
  replicas?: Partial<Record<ServiceName, number>>;
  /**
   * Replicas of every stream (`NATS_STREAM_REPLICAS` of each service and of the test's own bus).
   * Default: the bus's own, 3 when the server is part of a cluster, else 1.
   */
  streamReplicas?: number;
  /**
   * A NATS server other than the shared test one, e.g. a private one a fault test stops and
   * starts, or the servers of a cluster separated by commas.
   */
  natsUrl?: string;
  /** A Redis server other than the shared test one. */
  redisUrl?: string;
}

/** How a process of the launch spec is started: its command line, folder and readiness. */
interface Launch {
  command: string[];
  cwd: string;
  ready: { path: string; status: number };
}

async function waitReady(url: string, child: ChildProcess, output: string[], launch: Launch): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode}:\n${output.join('')}`);
    try {
      const res = await fetch(`${url}${launch.ready.path}`);
      await res.arrayBuffer();
      if (res.status === launch.ready.status) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready after 30000 ms:\n${output.join('')}`);
}

function spawnProcess(
  launch: Launch,
  env: Record<string, string>,
  output: string[],
  nodeArgs: string[] = [],
): ChildProcess {
  const [executable, ...args] = launch.command;
  if (!executable) throw new Error('empty command');
  if (nodeArgs.length > 0 && executable !== process.execPath) {
    throw new Error(`${launch.command.join(' ')} is not run with node; it takes no Node options`);
  }
  const argv = [...nodeArgs, ...args];
  const child = spawn(executable, argv, { cwd: launch.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 500) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

/** Starts the launch spec's process `name` with `env` and waits until it is ready. */
async function startProcess(
  name: ServiceName | ExtraName,
  env: Record<string, string>,
): Promise<RunningService> {
  const spec = processes.find((p) => p.name === name);
  if (!spec) throw new Error(`${name} is not in the launch spec`);
  if (name === 'client' && !existsSync(path.join(root, 'client', '.next', 'BUILD_ID'))) {
    throw new Error('the web client is not built: run `npm run build --workspace client` first');
  }
  const launch: Launch = {
    command: launchCommand(spec, root),
    cwd: workspaceDir(root, spec),
    ready: readiness(spec),
  };
  const url = `http://127.0.0.1:${env.PORT}`;
  const output: string[] = [];
  const service: RunningService = {
    name,
    url,
    output,
    process: spawnProcess(launch, env, output),
    async stop() {
      await stopChild(service.process, { timeoutMs: 60_000 });
    },
    async kill() {
      service.process.kill('SIGKILL');
      await exited(service.process);
    },
    async restart(run) {
      await service.stop();
      service.process = spawnProcess(launch, { ...env, ...run?.env }, output, run?.nodeArgs);
      await waitReady(url, service.process, output, launch);
    },
  };
  try {
    await waitReady(url, service.process, output, launch);
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}

/**
 * Starts the named services from their builds (`tsc -b` output) as separate processes, as the
 * launch spec says (scripts/services.mjs, as `npm start` does), each on a free port with its own
 * random database, all on one random bus prefix and BullMQ queue, exactly as they would run in
 * production apart from the isolation. Payments comes with the Stripe sandbox
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
  const bus = await connectTestBus(prefix, { url: natsUrl, streamReplicas: options.streamReplicas }).catch(
    (err: unknown) => {
      redis.disconnect();
      throw err;
    },
  );

  // Every step runs whatever failed before it, so that no connection outlives the test file.
  const stopAll = async () => {
    try {
      // The gateway and the client first, so nothing new reaches the services while they stop.
      const front = started.filter((s) => s.name === 'gateway' || s.name === 'client');
      await Promise.all(front.map((s) => s.stop()));
      await Promise.all(started.map((s) => s.stop()));
      await deleteTestStreams(bus);
    } finally {
      try {
        await bus.close();
        const keysLeft = await redis.keys(`${queuePrefix}:*`);
        if (keysLeft.length > 0) await redis.del(...keysLeft);
      } finally {
        redis.disconnect();
        await Promise.all(databases.map((db) => db.drop()));
      }
    }
  };

  try {
    const withPayments = options.services.includes('payments');
    const withNotifications = options.services.includes('notifications');
    const front = options.web || options.gateway;
    // MailDev and the sandbox first, as notifications mails to one and payments' webhooks come
    // from the other; the gateway before the client, which renders through it.
    const names: (ServiceName | ExtraName)[] = [
      ...(withNotifications ? (['maildev'] as const) : []),
      ...(withPayments ? (['stripe-sandbox'] as const) : []),
      ...options.services,
      ...(front ? (['gateway'] as const) : []),
      ...(options.web ? (['client'] as const) : []),
    ];
    const ports: Record<string, number> = {};
    // The kernel may hand a released port out again: every process gets a port of its own.
    const taken = new Set<number>();
    const ownPort = async (): Promise<number> => {
      let port = await freePort();
      while (taken.has(port)) port = await freePort();
      taken.add(port);
      return port;
    };
    // The client's port even without the client: paths outside /api then answer 502, not another stack's page.
    for (const name of [...names, 'client']) ports[name] ??= await ownPort();
    const replicaPorts: Partial<Record<ServiceName, number[]>> = {};
    for (const name of options.services) {
      const more: number[] = [];
      for (let i = 1; i < (options.replicas?.[name] ?? 1); i += 1) more.push(await ownPort());
      replicaPorts[name] = [ports[name]!, ...more];
    }
    const smtpPort = withNotifications ? await ownPort() : 0;
    for (const spec of services.filter((s) => options.services.includes(s.name) && 'database' in s)) {
      const database = await createTestDatabase();
      databases.push(database);
      databaseUrls[spec.name] = database.url;
    }
    const wiring = {
      ports,
      replicas: replicaPorts,
      databases: databaseUrls as Record<string, string>,
      natsUrl,
      redisUrl,
      keys: {
        jwtPrivateKey: keys.privateKey,
        jwtPublicKey: keys.publicKey,
        // orders signs e-tickets with a key of this run; tickets verifies them with its public part.
        ...eticketKeysFrom(newP256PrivateKey()),
        cookieKeys,
        stripeSecretKey: `sk_test_${randomBytes(12).toString('hex')}`,
        stripeWebhookSecret: `whsec_${randomBytes(24).toString('hex')}`,
        stripeConnectWebhookSecret: `whsec_${randomBytes(24).toString('hex')}`,
      },
      nodeEnv: 'test',
      logLevel: 'warn',
    };
    /** What the tests change beside the launch spec's wiring. */
    const testEnv: Partial<Record<ServiceName | ExtraName, Record<string, string>>> = {
      // Every test signs its users up from this one address; the limit's own test sets it.
      auth: { SIGNUP_MAX_PER_ADDRESS: '100000' },
      orders: orderLimitsEnv(options.orderLimits),
      expiration: { QUEUE_PREFIX: queuePrefix },
      'stripe-sandbox': { STRIPE_WEBHOOK_BASE_DELAY_MS: '200' },
      maildev: { MAILDEV_SMTP_PORT: String(smtpPort) },
      notifications: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, EMAIL_POLL_INTERVAL_MS: '200' },
    };

    const running: Partial<Record<ServiceName | ExtraName, RunningService>> = {};
    const replicas: Partial<Record<ServiceName, RunningService[]>> = {};
    for (const name of names) {
      const spec = processes.find((p) => p.name === name)!;
      const env = {
        PATH: process.env.PATH ?? '',
        ...launchEnv(spec, wiring),
        NATS_PREFIX: prefix,
        ...(options.streamReplicas ? { NATS_STREAM_REPLICAS: String(options.streamReplicas) } : {}),
        ...testEnv[name],
        ...options.env?.[name],
      };
      const own = replicaPorts[name as ServiceName] ?? [ports[name]!];
      const instances = await Promise.all(
        own.map((port) => startProcess(name, { ...env, PORT: String(port) })),
      );
      started.push(...instances);
      running[name] = instances[0];
      if (name in replicaPorts) replicas[name as ServiceName] = instances;
    }
    const { 'stripe-sandbox': sandbox, maildev: mail, client, gateway, ...rest } = running;

    return {
      services: rest as Record<ServiceName, RunningService>,
      replicas: replicas as Record<ServiceName, RunningService[]>,
      ...(sandbox ? { sandbox } : {}),
      ...(mail ? { mail, smtpUrl: `smtp://127.0.0.1:${smtpPort}` } : {}),
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
      stripeSecretKey: wiring.keys.stripeSecretKey,
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
