import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
