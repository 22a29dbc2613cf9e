import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { freePort } from './ports';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A server process owned by one test file: a private nats-server or redis-server on a random port
 * with its data in a temporary folder, which the test stops, kills and starts again to inject
 * faults. The machine's shared servers are never touched.
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
  output(): string;
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

const SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Finds a server binary: the path in `envVar` (the test bootstrap exports it), else on PATH or in
 * the usual system folders.
 */
export function findBinary(name: string, envVar: string): string {
  const configured = process.env[envVar];
  const candidates = [
    ...(configured ? [configured] : []),
    ...(process.env.PATH ?? '')
      .split(path.delimiter)
      .filter(Boolean)
      .map((dir) => path.join(dir, name)),
    ...SEARCH_DIRS.map((dir) => path.join(dir, name)),
  ];
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      continue;
    }
  }
  throw new Error(
    `${name} is not installed: install it (Debian/Ubuntu: apt-get install ${name}), set ${envVar}, ` +
      'or run the tests through `npm test`, whose bootstrap installs it',
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Children still running when the test process exits are killed, whatever went wrong. */
const alive = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of alive) c.kill('SIGKILL');
  });
}

interface ServerSpec {
  name: string;
  binary: string;
  scheme: string;
  args: (port: number, dir: string) => string[];
  /** A line the server logs once it serves clients with its data loaded. */
  readyLine: RegExp;
}

async function startPrivateServer(spec: ServerSpec): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), `glotixz-${spec.name}-`));
  const lines: string[] = [];
  let child: ChildProcess | undefined;
  let disposed = false;

  async function waitExit(process: ChildProcess, timeoutMs: number): Promise<boolean> {
    if (exited(process)) return true;
    const timer = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    return Promise.race([once(process, 'exit').then(() => true), timer]);
  }

  async function start(): Promise<void> {
    if (disposed) throw new Error(`${spec.name} was disposed`);
    if (child && !exited(child)) return;
    lines.length = 0;
    let ready = false;
    const current = spawn(spec.binary, spec.args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = current;
    track(current);
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        if (spec.readyLine.test(line)) ready = true;
        lines.push(line);
        if (lines.length > 200) lines.shift();
      }
    };
    current.stdout?.on('data', keep);
    current.stderr?.on('data', keep);
    let spawnError: Error | undefined;
    current.once('error', (err) => (spawnError = err));

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (spawnError) throw new Error(`could not start ${spec.binary}: ${spawnError.message}`);
      if (exited(current)) throw new Error(`${spec.name} exited during start-up:\n${lines.join('\n')}`);
      if (ready && (await accepts(port))) return;
      if (Date.now() > deadline) {
        current.kill('SIGKILL');
        throw new Error(
          `${spec.name} not ready on port ${port} after ${READY_TIMEOUT_MS} ms:\n${lines.join('\n')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function stop(): Promise<void> {
    const current = child;
    if (!current || exited(current)) return;
    current.kill('SIGTERM');
    if (!(await waitExit(current, STOP_TIMEOUT_MS))) {
      current.kill('SIGKILL');
      await waitExit(current, STOP_TIMEOUT_MS);
    }
  }

  async function kill(): Promise<void> {
    const current = child;
    if (!current || exited(current)) return;
    current.kill('SIGKILL');
    await waitExit(current, STOP_TIMEOUT_MS);
  }

  const server: PrivateServer = {
    url: `${spec.scheme}://127.0.0.1:${port}`,
    port,
    dir,
    get running() {
      return child !== undefined && !exited(child);
    },
    output: () => lines.join('\n'),
    start,
    stop,
    kill,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (err) {
    await server.dispose();
    throw err;
  }
  return server;
}

/**
 * Starts a private `nats-server -js` on a random port with its own JetStream store, so streams and
 * durable consumers survive {@link PrivateServer.restart} as they do on a production server.
 */
export function startNats(): Promise<PrivateServer> {
  return startPrivateServer({
    name: 'nats',
    binary: findBinary('nats-server', 'TEST_NATS_SERVER_BIN'),
    scheme: 'nats',
    args: (port, dir) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir],
    readyLine: /Server is ready/,
  });
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
  const persistence = options.persistence ?? 'aof';
  return startPrivateServer({
    name: 'redis',
    binary: findBinary('redis-server', 'TEST_REDIS_SERVER_BIN'),
    scheme: 'redis',
    args: (port, dir) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--save',
      '',
      '--appendonly',
      persistence === 'aof' ? 'yes' : 'no',
      '--appendfsync',
      'always',
      // BullMQ must never see its keys evicted.
      '--maxmemory-policy',
      'noeviction',
    ],
    readyLine: /Ready to accept connections/,
  });
}
