/**
 * Step (b) of the bootstrap: Postgres, NATS (JetStream) and Redis for the local stack.
 *
 * For each one the configured URL (PG_ADMIN_URL, NATS_URL, REDIS_URL) is probed with its real
 * protocol and used when it answers. Otherwise the runner uses a private instance on a
 * non-default port (STACK_PG_PORT, STACK_NATS_PORT, STACK_REDIS_PORT) with its data under
 * .data/: one left running by an earlier run is reused, else one is started (installing the
 * Debian package first when the binary is missing and we are root). Only instances this run
 * started are stopped by `stop()`; `stopLeftovers()` stops any private instance still running.
 *
 * Postgres refuses to run as root, so as root initdb and pg_ctl run as the `postgres` system
 * user on a data directory it owns.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError, log, redactUrl } from './log.mjs';
import { probeNats, probePostgres, probeRedis, probeTcp } from './probes.mjs';
import { isProcessRunning, isRoot, run, sleep, stopChild, tail, waitFor, which } from './proc.mjs';

export const DEFAULTS = {
  pgAdminUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
  natsUrl: 'nats://127.0.0.1:4222',
  redisUrl: 'redis://127.0.0.1:6379',
  pgPort: 54329,
  natsPort: 42229,
  redisPort: 63799,
};

const READY_TIMEOUT_MS = 60_000;
const PG_SYSTEM_USER = 'postgres';

/** What the runner is told to use, from the environment with the defaults above. */
export function infraConfig(env = process.env) {
  const port = (name, fallback) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1 || value > 65535)
      throw new StackError(`${name} must be a port`);
    return value;
  };
  return {
    pg: { url: env.PG_ADMIN_URL || DEFAULTS.pgAdminUrl, privatePort: port('STACK_PG_PORT', DEFAULTS.pgPort) },
    nats: { url: env.NATS_URL || DEFAULTS.natsUrl, privatePort: port('STACK_NATS_PORT', DEFAULTS.natsPort) },
    redis: {
      url: env.REDIS_URL || DEFAULTS.redisUrl,
      privatePort: port('STACK_REDIS_PORT', DEFAULTS.redisPort),
    },
  };
}

const KINDS = {
  pg: {
    label: 'Postgres',
    urlVar: 'PG_ADMIN_URL',
    portVar: 'STACK_PG_PORT',
    probe: probePostgres,
    privateUrl: (port) => `postgres://${PG_SYSTEM_USER}@127.0.0.1:${port}/postgres`,
    start: startPrivatePostgres,
    stopLeftover: stopLeftoverPostgres,
  },
  nats: {
    label: 'NATS',
    urlVar: 'NATS_URL',
    portVar: 'STACK_NATS_PORT',
    probe: probeNats,
    privateUrl: (port) => `nats://127.0.0.1:${port}`,
    start: startPrivateNats,
    stopLeftover: (ctx) => stopLeftoverDaemon(ctx, 'nats', 'nats-server'),
  },
  redis: {
    label: 'Redis',
    urlVar: 'REDIS_URL',
    portVar: 'STACK_REDIS_PORT',
    probe: probeRedis,
    privateUrl: (port) => `redis://127.0.0.1:${port}`,
    start: startPrivateRedis,
    stopLeftover: (ctx) => stopLeftoverDaemon(ctx, 'redis', 'redis-server'),
  },
};

function createContext(root) {
  const dataDir = join(root, '.data');
  return { root, dataDir, runDir: join(dataDir, 'run'), logDir: join(dataDir, 'logs'), aptUpdated: false };
}

/**
 * The infrastructure of one runner. `ensure()` makes Postgres, NATS and Redis reachable and
 * answers the URL chosen for each; `stop()` stops the private instances this runner started (and
 * only those), so it can be registered for clean-up before `ensure()` is even called.
 * @typedef {{ url: string, private: boolean, started: boolean }} Endpoint
 */
export function createInfra({ root, env = process.env }) {
  const ctx = createContext(root);
  const started = [];
  return {
    /** @returns {Promise<{ pg: Endpoint, nats: Endpoint, redis: Endpoint }>} */
    async ensure() {
      const config = infraConfig(env);
      const endpoints = {};
      for (const key of ['pg', 'nats', 'redis']) {
        endpoints[key] = await ensureOne(ctx, KINDS[key], config[key], started);
      }
      return endpoints;
    },
    async stop() {
      while (started.length > 0) {
        const instance = started.pop();
        log.step(`${instance.label}: stopping the private instance`);
        try {
          await instance.stop();
          log.ok(`${instance.label}: stopped`);
        } catch (err) {
          log.warn(`${instance.label}: could not stop cleanly: ${err.message}`);
        }
      }
    },
    /** Forgets the instances started so far, so `stop()` leaves them running. */
    keepRunning() {
      started.length = 0;
    },
    /**
     * The nats-server and redis-server binaries, installed with apt-get when missing (as root),
     * even when shared servers are in use: the fault tests run private instances they stop and
     * start. @returns {Promise<{ natsServer: string, redisServer: string }>}
     */
    async ensureServerBinaries() {
      const need = 'the fault tests run private servers';
      return {
        natsServer: await ensureBinary(ctx, 'nats-server', 'nats-server', KINDS.nats, need),
        redisServer: await ensureBinary(ctx, 'redis-server', 'redis-server', KINDS.redis, need),
      };
    },
  };
}

async function ensureOne(ctx, kind, { url, privatePort }, started) {
  const configured = await kind.probe(url);
  if (configured.ok) {
    log.ok(`${kind.label}: using ${redactUrl(url)} (${configured.detail})`);
    return { url, private: false, started: false };
  }
  log.info(`${kind.label}: ${redactUrl(url)} is not usable: ${configured.reason}`);

  const privateUrl = kind.privateUrl(privatePort);
  if (privateUrl !== url) {
    const leftover = await kind.probe(privateUrl);
    if (leftover.ok) {
      log.ok(`${kind.label}: reusing the private instance at ${privateUrl} (${leftover.detail})`);
      return { url: privateUrl, private: true, started: false };
    }
  }
  if (await probeTcp('127.0.0.1', privatePort)) {
    throw new StackError(
      `${kind.label}: port ${privatePort} is taken by something that is not a usable ${kind.label}. ` +
        `Free the port, set ${kind.portVar} to another port, or set ${kind.urlVar} to a running server.`,
    );
  }

  log.step(`${kind.label}: starting a private instance on 127.0.0.1:${privatePort}`);
  const instance = await kind.start(ctx, privatePort);
  started.push({ label: kind.label, stop: instance.stop });
  let last;
  await waitFor(
    async () => {
      if (instance.hasExited?.()) {
        throw new StackError(`${kind.label}: the private instance exited during start-up`, {
          hint: await instance.logTail(),
        });
      }
      last = await kind.probe(privateUrl);
      return last.ok;
    },
    {
      timeoutMs: READY_TIMEOUT_MS,
      onTimeout: () =>
        new StackError(
          `${kind.label}: the private instance is not ready after ${READY_TIMEOUT_MS / 1000} s`,
          {
            hint: `last probe: ${last?.reason}; log: ${instance.logFile}`,
          },
        ),
    },
  );
  log.ok(`${kind.label}: private instance ready at ${privateUrl} (${last.detail}; log ${instance.logFile})`);
  return { url: privateUrl, private: true, started: true };
}

/** Stops every private instance recorded under .data/, whoever started it. */
export async function stopLeftovers(root) {
  const ctx = createContext(root);
  for (const kind of Object.values(KINDS)) {
    const stopped = await kind.stopLeftover(ctx);
    if (stopped) log.ok(`${kind.label}: stopped the private instance`);
    else log.info(`${kind.label}: no private instance running`);
  }
}

/**
 * Installs a Debian package as root (apt-get update once per `ctx`), or fails saying what to
 * install. `what` names the need in messages, e.g. "Postgres is not reachable".
 */
export async function aptInstall(ctx, pkg, { label, what, hint }) {
  if (!isRoot()) throw new StackError(`${what} and ${pkg} is not installed. ${hint}`);
  if (!(await which('apt-get'))) {
    throw new StackError(`${what}, ${pkg} is not installed and there is no apt-get. ${hint}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!ctx.aptUpdated) {
    log.step('apt-get update');
    const update = await run('apt-get', ['update', '-qq'], { env, capture: true });
    if (update.code !== 0)
      throw new StackError(`apt-get update failed. ${hint}`, { hint: update.output.trim() });
    ctx.aptUpdated = true;
  }
  log.step(`${label}: installing ${pkg} with apt-get`);
  const install = await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], {
    env,
    capture: true,
  });
  if (install.code !== 0) {
    throw new StackError(`apt-get install ${pkg} failed. ${hint}`, {
      hint: install.output.trim().slice(-4000),
    });
  }
}

/**
 * Finds `bin`, installing `pkg` with apt-get when it is missing. `need` says why it is needed,
 * for the messages; by default the server is not reachable and a private one must start.
 */
async function ensureBinary(ctx, bin, pkg, kind, need) {
  const found = await which(bin);
  if (found) return found;
  await aptInstall(ctx, pkg, {
    label: kind.label,
    what: need ?? `${kind.label} is not reachable`,
    hint: need
      ? `Install ${pkg} (Debian/Ubuntu: apt-get install ${pkg}).`
      : `Install ${pkg} (Debian/Ubuntu: apt-get install ${pkg}) or set ${kind.urlVar} to a running server.`,
  });
  const installed = await which(bin);
  if (!installed) throw new StackError(`${pkg} was installed but ${bin} is still not found`);
  return installed;
}

/** Starts `bin` in its own process group with output to .data/logs/<name>.log and a pid file. */
async function spawnDaemon(ctx, name, bin, args) {
  await mkdir(ctx.logDir, { recursive: true });
  await mkdir(ctx.runDir, { recursive: true });
  const logFile = join(ctx.logDir, `${name}.log`);
  const pidFile = join(ctx.runDir, `${name}.pid`);
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let spawnError;
  child.on('error', (err) => (spawnError = err));
  await sleep(50);
  if (spawnError) throw new StackError(`could not start ${bin}: ${spawnError.message}`);
  await writeFile(pidFile, `${child.pid}\n`);
  return {
    logFile,
    hasExited: () => child.exitCode !== null || child.signalCode !== null,
    logTail: () => tail(logFile),
    stop: async () => {
      await stopChild(child, { timeoutMs: 15_000 });
      await rm(pidFile, { force: true });
    },
  };
}

async function stopLeftoverDaemon(ctx, name, bin) {
  const pidFile = join(ctx.runDir, `${name}.pid`);
  let pid;
  try {
    pid = Number((await readFile(pidFile, 'utf8')).trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !(await isProcessRunning(pid, bin))) {
    await rm(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const gone = async () => !(await isProcessRunning(pid, bin));
  try {
    await waitFor(gone, { timeoutMs: 15_000, onTimeout: () => new Error('timeout') });
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if (err.code !== 'ESRCH') throw err;
    }
  }
  await rm(pidFile, { force: true });
  return true;
}

async function startPrivateNats(ctx, port) {
  const bin = await ensureBinary(ctx, 'nats-server', 'nats-server', KINDS.nats);
  const storeDir = join(ctx.dataDir, 'nats');
  await mkdir(storeDir, { recursive: true });
  return spawnDaemon(ctx, 'nats', bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir]);
}

async function startPrivateRedis(ctx, port) {
  const bin = await ensureBinary(ctx, 'redis-server', 'redis-server', KINDS.redis);
  const dir = join(ctx.dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  return spawnDaemon(ctx, 'redis', bin, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
  ]);
}

/** The Postgres bin directory: /usr/lib/postgresql/<major>/bin (preferring `major`), else PATH. */
async function findPostgresBin(major) {
  const base = '/usr/lib/postgresql';
  let versions = [];
  try {
    versions = (await readdir(base)).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    versions = [];
  }
  versions.sort((a, b) => Number(b) - Number(a));
  if (major && versions.includes(major)) versions = [major, ...versions.filter((v) => v !== major)];
  for (const version of versions) {
    const dir = join(base, version, 'bin');
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return { dir, version };
  }
  const initdb = await which('initdb');
  const pgCtl = await which('pg_ctl');
  if (initdb && pgCtl) {
    const { output } = await run(pgCtl, ['--version'], { capture: true });
    return { dir: null, initdb, pgCtl, version: /(\d+)/.exec(output)?.[1] ?? '?' };
  }
  return null;
}

async function systemUserIds(name) {
  const uid = await run('id', ['-u', name], { capture: true });
  const gid = await run('id', ['-g', name], { capture: true });
  if (uid.code !== 0 || gid.code !== 0) return null;
  return { uid: Number(uid.output.trim()), gid: Number(gid.output.trim()) };
}

/** Runs a Postgres tool as the postgres system user when we are root, else as ourselves. */
function pgTool(command, args) {
  if (!isRoot()) return run(command, args, { capture: true });
  return run('runuser', ['-u', PG_SYSTEM_USER, '--', command, ...args], { capture: true });
}

function fallbackPgDir(root) {
  const id = createHash('sha256').update(root).digest('hex').slice(0, 10);
  return join('/var/tmp', `glotixz-${id}`, 'pg');
}

/** The directories that may hold this checkout's private Postgres (see `preparePgDir`). */
function pgDirCandidates(ctx) {
  return [join(ctx.dataDir, 'pg'), fallbackPgDir(ctx.root)];
}

/**
 * Creates the private Postgres directory owned by the postgres user: .data/pg, or a directory
 * under /var/tmp when the postgres user cannot reach .data (a checkout under /root, say).
 */
async function preparePgDir(ctx) {
  const [primary, fallback] = pgDirCandidates(ctx);
  if (!isRoot()) {
    await mkdir(primary, { recursive: true, mode: 0o700 });
    return primary;
  }
  if (!(await which('runuser')))
    throw new StackError('runuser (util-linux) is needed to run Postgres as root');
  const ids = await systemUserIds(PG_SYSTEM_USER);
  if (!ids) {
    throw new StackError(`the "${PG_SYSTEM_USER}" system user is missing; reinstall the postgresql package`);
  }
  for (const dir of [primary, fallback]) {
    await mkdir(dir, { recursive: true });
    await chown(dir, ids.uid, ids.gid);
    await chmod(dir, 0o700);
    const usable = await run('runuser', ['-u', PG_SYSTEM_USER, '--', 'test', '-w', dir], { capture: true });
    if (usable.code === 0) {
      if (dir === fallback) log.warn(`Postgres: the postgres user cannot reach ${primary}; using ${dir}`);
      return dir;
    }
  }
  throw new StackError(`the postgres user cannot write to ${primary} nor ${fallback}`);
}

async function readPgVersion(dataDir) {
  try {
    return (await readFile(join(dataDir, 'PG_VERSION'), 'utf8')).trim();
  } catch {
    return null;
  }
}

async function startPrivatePostgres(ctx, port) {
  const dir = await preparePgDir(ctx);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const existingMajor = await readPgVersion(dataDir);

  let bin = await findPostgresBin(existingMajor);
  if (!bin) {
    await aptInstall(ctx, 'postgresql', KINDS.pg);
    bin = await findPostgresBin(existingMajor);
    if (!bin) throw new StackError('postgresql was installed but initdb/pg_ctl are still not found');
  }
  const tool = (name) => (bin.dir ? join(bin.dir, name) : name === 'initdb' ? bin.initdb : bin.pgCtl);
  if (existingMajor && existingMajor !== bin.version) {
    throw new StackError(
      `Postgres: ${dataDir} was created by Postgres ${existingMajor} but only ${bin.version} is installed. ` +
        `Delete ${dir} to start over (its data is lost).`,
    );
  }

  if (!existingMajor) {
    await rm(dataDir, { recursive: true, force: true });
    log.info(`Postgres: initdb ${dataDir}`);
    const init = await pgTool(tool('initdb'), [
      '-D',
      dataDir,
      '-U',
      PG_SYSTEM_USER,
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
    ]);
    if (init.code !== 0) throw new StackError('Postgres: initdb failed', { hint: init.output.trim() });
  }

  const socketOk = !dir.includes("'") && Buffer.byteLength(`${dir}/.s.PGSQL.${port}`) < 100;
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories='${socketOk ? dir : ''}'`,
    '-c max_connections=200',
    '-c synchronous_commit=off',
  ].join(' ');
  const start = await pgTool(tool('pg_ctl'), [
    '-D',
    dataDir,
    '-l',
    logFile,
    '-w',
    '-t',
    '60',
    '-o',
    options,
    'start',
  ]);
  if (start.code !== 0) {
    throw new StackError('Postgres: pg_ctl start failed', {
      hint: `${start.output.trim()}\n${await tail(logFile)}`.trim(),
    });
  }
  return {
    logFile,
    logTail: () => tail(logFile),
    stop: async () => {
      const stop = await pgTool(tool('pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
      if (stop.code !== 0) throw new Error(stop.output.trim());
    },
  };
}

async function stopLeftoverPostgres(ctx) {
  for (const dir of pgDirCandidates(ctx)) {
    const dataDir = join(dir, 'data');
    if (!existsSync(join(dataDir, 'postmaster.pid'))) continue;
    const bin = await findPostgresBin(await readPgVersion(dataDir));
    if (!bin) continue;
    const pgCtl = bin.dir ? join(bin.dir, 'pg_ctl') : bin.pgCtl;
    const status = await pgTool(pgCtl, ['-D', dataDir, 'status']);
    if (status.code !== 0) continue;
    const stop = await pgTool(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
    if (stop.code !== 0) throw new StackError(`Postgres: pg_ctl stop failed`, { hint: stop.output.trim() });
    return true;
  }
  return false;
}
