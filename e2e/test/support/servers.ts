import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectBus } from '@glotixz/common/bus';
import { waitFor } from '@glotixz/common/testing';
import pino from 'pino';
import { ensureBinary, startDaemon } from '../../../scripts/lib/servers.mjs';
import { freePort } from './ports';

/**
 * A server process owned by one test file: a private nats-server or redis-server on a random port
 * with its data in a temporary folder, which the test stops, kills and starts again to inject
 * faults. The machine's shared servers are never touched. Started by the same module as the
 * stack's private servers (scripts/lib/servers.mjs).
 */
export interface PrivateServer {
  /** `nats://127.0.0.1:<port>` or `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The server's data folder (JetStream store, Redis AOF), kept across restarts. */
  readonly dir: string;
  /** Whether the process is up. */
  readonly running: boolean;
  /** The last lines the server wrote, for failure messages. */
  output(): Promise<string>;
  /** Starts it again on the same port with the same data folder; resolves once it accepts clients. */
  start(): Promise<void>;
  /** Stops it with SIGTERM (a clean shutdown) and waits for the exit; SIGKILL after 10 s. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL (a crash) and waits for the exit. */
  kill(): Promise<void>;
  /** {@link stop}, then {@link start}. */
  restart(): Promise<void>;
  /** Kills it if it runs and deletes its data folder. Safe to call more than once. */
  dispose(): Promise<void>;
}

/** The binary the test bootstrap exported in `envVar`, else one found on PATH or the sbin folders. */
async function binary(name: string, envVar: string): Promise<string> {
  return (
    process.env[envVar] ||
    ensureBinary(name, {
      why: `the fault tests need ${name}`,
      hint: `Or set ${envVar}, or run the tests through \`npm test\`, whose bootstrap installs it.`,
    })
  );
}

async function start(kind: 'nats' | 'redis', envVar: string, options?: object): Promise<PrivateServer> {
  return startDaemon(kind, {
    bin: await binary(`${kind}-server`, envVar),
    port: await freePort(),
    dir: mkdtempSync(path.join(tmpdir(), `glotixz-${kind}-`)),
    options,
  });
}

/**
 * Starts a private `nats-server -js` on a random port with its own JetStream store, so streams and
 * durable consumers survive {@link PrivateServer.restart} as they do on a production server.
 */
export function startNats(): Promise<PrivateServer> {
  return start('nats', 'TEST_NATS_SERVER_BIN');
}

/** Options of {@link startRedis}. */
export interface RedisServerOptions {
  /**
   * `aof` (default): every write is appended and fsynced before Redis answers, so a stop, a
   * restart or even a kill loses nothing, as with a durable production Redis. `none`: no AOF and
   * no snapshots, so any restart starts empty, as a Redis that lost its data.
   */
  persistence?: 'aof' | 'none';
}

/** Starts a private `redis-server` on a random port with its data in its own folder. */
export function startRedis(options: RedisServerOptions = {}): Promise<PrivateServer> {
  return start('redis', 'TEST_REDIS_SERVER_BIN', options);
}

/** A TCP link a test can cut and heal: connections through it are forwarded to `targetPort`. */
class Link {
  private readonly sockets = new Set<Socket>();
  private cut = false;
  private readonly server: Server;
  port = 0;

  private constructor(private readonly targetPort: number) {
    this.server = createServer((inbound) => this.forward(inbound));
  }

  static async open(targetPort: number): Promise<Link> {
    const link = new Link(targetPort);
    link.server.listen(0, '127.0.0.1');
    await once(link.server, 'listening');
    const address = link.server.address();
    link.port = typeof address === 'object' && address ? address.port : 0;
    return link;
  }

  private forward(inbound: Socket): void {
    if (this.cut) {
      inbound.destroy();
      return;
    }
    const outbound = connect(this.targetPort, '127.0.0.1');
    for (const [from, to] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      this.sockets.add(from);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
      from.pipe(to);
    }
  }

  /** Drops every connection through it and refuses new ones until {@link heal}. */
  sever(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  heal(): void {
    this.cut = false;
  }

  close(): Promise<void> {
    this.sever();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A three-server NATS JetStream cluster on loopback, see {@link startNatsCluster}. */
export interface NatsCluster {
  /** The servers, each a {@link PrivateServer} that can be stopped, killed and started again. */
  readonly servers: PrivateServer[];
  /** Every server's client URL, comma-separated, for a client that may use any of them. */
  readonly url: string;
  /** The server names, in the order of {@link servers}: `n1`, `n2`, `n3`. */
  readonly names: string[];
  /**
   * Cuts the routes between server `index` and the others (its clients stay connected to it): a
   * network partition of one server, until {@link heal}.
   */
  partition(index: number): void;
  heal(index: number): void;
  /** Kills every server and deletes their stores. */
  dispose(): Promise<void>;
}

/** Options of {@link startNatsCluster}. */
export interface NatsClusterOptions {
  /**
   * Lines of each server's `jetstream { … }` configuration block, e.g. `sync_interval: always`;
   * the command-line settings (store folder, ports, cluster) still apply beside them. A server
   * that rejects a line fails to start, and the cluster with it, with the server's own error.
   */
  jetstream?: string[];
}

/**
 * A launcher of `bin` that first loads `dir`/nats.conf, whose `jetstream` block holds `jetstream`:
 * the shared daemon starter passes flags only, and nats-server takes such settings only from a file.
 */
function withJetStreamConfig(bin: string, dir: string, jetstream: string[]): string {
  const config = path.join(dir, 'nats.conf');
  writeFileSync(config, `jetstream {\n${jetstream.map((line) => `  ${line}\n`).join('')}}\n`);
  const launcher = path.join(dir, 'nats-server');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(launcher, `#!/bin/sh\nexec ${quote(bin)} -c ${quote(config)} "$@"\n`);
  chmodSync(launcher, 0o755);
  return launcher;
}

/**
 * Starts three `nats-server -js` on random ports as one cluster: each solicits a route to each of
 * the others through a {@link Link} of its own, so a test can partition one server by cutting its
 * links while its clients stay connected. JetStream streams created with 3 replicas then keep
 * working with one server down or cut off (quorum 2 of 3).
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const bin = await binary('nats-server', 'TEST_NATS_SERVER_BIN');
  const size = 3;
  const names = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const clientPorts = await Promise.all(names.map(() => freePort()));
  const routePorts = await Promise.all(names.map(() => freePort()));
  // links[i][j]: the route server i solicits to server j.
  const links: Link[][] = [];
  for (let i = 0; i < size; i += 1) {
    links[i] = [];
    for (let j = 0; j < size; j += 1) if (i !== j) links[i]![j] = await Link.open(routePorts[j]!);
  }
  const name = `glotixz-${Math.random().toString(36).slice(2, 8)}`;
  const nowhere = await freePort();
  const dirs = names.map((serverName) => mkdtempSync(path.join(tmpdir(), `glotixz-nats-${serverName}-`)));
  const started = await Promise.allSettled(
    names.map((serverName, i) => {
      const dir = dirs[i]!;
      return startDaemon('nats', {
        bin: options.jetstream ? withJetStreamConfig(bin, dir, options.jetstream) : bin,
        port: clientPorts[i]!,
        dir,
        options: {
          cluster: {
            name,
            serverName,
            port: routePorts[i]!,
            routes: links[i]!.filter(Boolean).map((link) => `nats-route://127.0.0.1:${link.port}`),
            // Gossip names a port where nothing listens: a server learning of another through a
            // third never routes to it around the links.
            advertise: `127.0.0.1:${nowhere}`,
          },
        },
      });
    }),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((server) => server.dispose()));
    await Promise.all(links.flat().map((link) => link.close()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    const reason = failed.reason as Error & { hint?: string };
    throw new Error(`${reason.message}${reason.hint ? `:\n${reason.hint}` : ''}`, { cause: reason });
  }
  // Ready once a stream with three replicas can be placed: the servers have elected a meta
  // leader and every one of them has joined it.
  const urls = clientPorts.map((port) => `nats://127.0.0.1:${port}`);
  const probe = `CLUSTER_PROBE_${name.replace(/\W/g, '_').toUpperCase()}`;
  await waitFor(
    () =>
      connectBus({
        servers: urls,
        name: 'cluster-probe',
        logger: pino({ level: 'silent' }),
        timeoutMs: 1_000,
      })
        .then(async (bus) => {
          try {
            await bus.jsm.streams.add({ name: probe, subjects: [`${probe}.>`], num_replicas: size });
            await bus.jsm.streams.delete(probe);
            return true;
          } finally {
            await bus.close();
          }
        })
        .catch(() => false),
    60_000,
    'every server of the NATS cluster in JetStream',
  );
  const linksOf = (index: number) =>
    links.flatMap((row, i) => row.filter((link, j) => link && (i === index || j === index)));
  return {
    servers,
    url: urls.join(','),
    names,
    partition: (index) => linksOf(index).forEach((link) => link.sever()),
    heal: (index) => linksOf(index).forEach((link) => link.heal()),
    async dispose() {
      await Promise.all(servers.map((server) => server.dispose()));
      await Promise.all(links.flat().map((link) => link.close()));
    },
  };
}
