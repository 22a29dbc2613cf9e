/**
 * Private Postgres, NATS and Redis servers, for step (b) of the bootstrap and for the fault tests
 * (`startDaemon`). The bootstrap uses the configured URL (PG_ADMIN_URL, NATS_URL, REDIS_URL) of
 * each when it answers, else a private server on STACK_<PG|NATS|REDIS>_PORT with its data under
 * .data/: reused if left running, else started (its Debian package installed first as root). As
 * root, Postgres runs as `postgres`, in /var/tmp/glotixz-<hash>/pg if that user cannot reach .data/.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError, log, redactUrl } from './log.mjs';
import { probeNats, probePostgres, probeRedis, probeTcp } from './probes.mjs';
import { exited, isProcessRunning, isRoot, run, stopChild, tail, waitFor, which } from './proc.mjs';

const HOST = '127.0.0.1';
const PG_USER = 'postgres';

/** How nats-server and redis-server run on a port with their data in a folder. */
const DAEMONS = {
  nats: {
    bin: 'nats-server',
    args: (port, dir) => ['-js', '-a', HOST, '-p', String(port), '-sd', dir],
    readyLine: /Server is ready/,
  },
  redis: {
    bin: 'redis-server',
    // aof: every write fsynced before Redis answers, so even a kill loses nothing; none: a restart starts empty.
    args: (port, dir, { persistence = 'aof' } = {}) => [
      ...['--port', String(port), '--bind', HOST, '--dir', dir, '--daemonize', 'no', '--save', ''],
      ...['--appendonly', persistence === 'aof' ? 'yes' : 'no', '--appendfsync', 'always'],
      // BullMQ must never see its keys evicted.
      ...['--maxmemory-policy', 'noeviction'],
    ],
    readyLine: /Ready to accept connections/,
  },
};

let aptUpdated = false;

/**
 * Installs a Debian package as root, or fails saying what to install. `what` names the need,
 * e.g. "Postgres is not reachable"; `hint` says what else would do.
 */
export async function aptInstall(pkg, { label, what, hint }) {
  if (!isRoot() || !(await which('apt-get')))
    throw new StackError(`${what} and ${pkg} is not installed. ${hint}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = async (args, message) => {
    const result = await run('apt-get', args, { env, capture: true });
    if (result.code !== 0)
      throw new StackError(`${message}. ${hint}`, { hint: result.output.trim().slice(-4000) });
  };
  if (!aptUpdated) {
    log.step('apt-get update');
    await apt(['update', '-qq'], 'apt-get update failed');
    aptUpdated = true;
  }
  log.step(`${label}: installing ${pkg} with apt-get`);
  await apt(['install', '-y', '-qq', '--no-install-recommends', pkg], `apt-get install ${pkg} failed`);
}

/** Finds `bin` on PATH or in the sbin folders, installing its package (same name) when missing and root. */
export async function ensureBinary(bin, { why = `${bin} is needed`, hint = '' } = {}) {
  const found = await which(bin);
  if (found) return found;
  await aptInstall(bin, {
    label: bin,
    what: why,
    hint: `Install ${bin} (Debian/Ubuntu: apt-get install ${bin}). ${hint}`,
  });
  const installed = await which(bin);
  if (!installed) throw new StackError(`${bin} was installed but is still not found`);
  return installed;
}

/** Children to kill when this process exits, whatever went wrong (the fault tests' servers). */
const owned = new Set();
process.once('exit', () => owned.forEach((child) => child.kill('SIGKILL')));

/**
 * Starts nats-server (`kind` 'nats') or redis-server ('redis', `options.persistence`) on `port`
 * with its data in `dir`, in its own process group with its output appended to `logFile`; resolves
 * once it logged that it is ready and accepts connections. With `pidFile` the pid is written there
 * (and the server outlives this process); otherwise it is killed when this process exits.
 * @param {'nats' | 'redis'} kind
 * @param {{ bin: string, port: number, dir: string, logFile?: string, pidFile?: string,
 *   options?: { persistence?: 'aof' | 'none' } }} settings
 */
export async function startDaemon(
  kind,
  { bin, port, dir, logFile = join(dir, 'server.log'), pidFile, options },
) {
  const daemon = DAEMONS[kind];
  let child;
  const running = () => child?.exitCode === null && child.signalCode === null;
  const server = {
    url: `${kind}://${HOST}:${port}`,
    port,
    dir,
    logFile,
    get running() {
      return running();
    },
    output: () => tail(logFile, 200),
    async start() {
      if (running()) return;
      await mkdir(dir, { recursive: true });
      const from = existsSync(logFile) ? statSync(logFile).size : 0;
      const fd = openSync(logFile, 'a');
      child = spawn(bin, daemon.args(port, dir, options), { detached: true, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      let spawnError;
      child.once('error', (err) => (spawnError = err));
      const current = child;
      if (pidFile) await writeFile(pidFile, `${current.pid}\n`);
      else {
        owned.add(current);
        current.once('exit', () => owned.delete(current));
      }
      await waitFor(
        async () => {
          if (spawnError) throw new StackError(`could not start ${bin}: ${spawnError.message}`);
          if (!running() || child !== current)
            throw new StackError(`${kind}: exited during start-up`, { hint: await server.output() });
          const text = (await readFile(logFile)).subarray(from).toString();
          return daemon.readyLine.test(text) && probeTcp(HOST, port);
        },
        {
          timeoutMs: 30_000,
          intervalMs: 25,
          onTimeout: () => new StackError(`${kind}: not ready on port ${port} after 30 s (log: ${logFile})`),
        },
      );
    },
    /** SIGTERM (a clean shutdown), SIGKILL after 10 s. */
    async stop() {
      if (running()) await stopChild(child, { timeoutMs: 10_000 });
      if (pidFile) await rm(pidFile, { force: true });
    },
    /** SIGKILL, as a crash. */
    async kill() {
      if (running()) {
        child.kill('SIGKILL');
        await exited(child);
      }
    },
    async restart() {
      await server.stop();
      await server.start();
    },
    /** Kills it and deletes its data folder. */
    async dispose() {
      await server.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (err) {
    await server.kill();
    throw err;
  }
  return server;
}

/** Each server: the variable naming the one to use, the default and private ports, and its probe. */
export const SERVERS = {
  pg: { label: 'Postgres', urlVar: 'PG_ADMIN_URL', ports: [5432, 54329], probe: probePostgres },
  nats: { label: 'NATS', urlVar: 'NATS_URL', ports: [4222, 42229], probe: probeNats },
  redis: { label: 'Redis', urlVar: 'REDIS_URL', ports: [6379, 63799], probe: probeRedis },
};
/** The variable setting a private server's port: STACK_PG_PORT, STACK_NATS_PORT, STACK_REDIS_PORT. */
const portVar = (key) => `STACK_${key.toUpperCase()}_PORT`;

const urlOf = (key, port) =>
  key === 'pg' ? `postgres://${PG_USER}@${HOST}:${port}/postgres` : `${key}://${HOST}:${port}`;

/**
 * Makes Postgres, NATS and Redis reachable for the stack rooted at `root`. Answers, per server,
 * `{ url, private, started }`, and `stop()`, which stops the private servers this call started
 * (only those), so a clean-up can be registered before the servers are.
 */
export function createServers(root, env = process.env) {
  const started = [];
  return {
    async ensure() {
      const endpoints = {};
      for (const [key, { urlVar, ports }] of Object.entries(SERVERS)) {
        const port = Number(env[portVar(key)] ?? ports[1]);
        if (!Number.isInteger(port) || port < 1 || port > 65535)
          throw new StackError(`${portVar(key)} must be a port`);
        endpoints[key] = await ensureOne(
          root,
          key,
          { url: env[urlVar] || urlOf(key, ports[0]), port },
          started,
        );
      }
      return endpoints;
    },
    async stop() {
      for (const { label, stop } of started.splice(0).reverse()) {
        log.step(`${label}: stopping the private instance`);
        await stop().then(
          () => log.ok(`${label}: stopped`),
          (err) => log.warn(`${label}: could not stop cleanly: ${err.message}`),
        );
      }
    },
    /** Forgets the servers started so far, so `stop()` leaves them running. */
    keepRunning: () => void started.splice(0),
  };
}

async function ensureOne(root, key, { url, port }, started) {
  const kind = SERVERS[key];
  const configured = await kind.probe(url);
  if (configured.ok) {
    log.ok(`${kind.label}: using ${redactUrl(url)} (${configured.detail})`);
    return { url, private: false, started: false };
  }
  log.info(`${kind.label}: ${redactUrl(url)} is not usable: ${configured.reason}`);
  const own = urlOf(key, port);
  const leftover = own === url ? configured : await kind.probe(own);
  if (leftover.ok) {
    log.ok(`${kind.label}: reusing the private instance at ${own} (${leftover.detail})`);
    return { url: own, private: true, started: false };
  }
  if (await probeTcp(HOST, port)) {
    throw new StackError(
      `${kind.label}: port ${port} is taken by something that is not a usable ${kind.label}. ` +
        `Free the port, set ${portVar(key)} to another port, or set ${kind.urlVar} to a running server.`,
    );
  }
  log.step(`${kind.label}: starting a private instance on ${HOST}:${port}`);
  const why = `${kind.label} is not reachable`;
  const hint = `Or set ${kind.urlVar} to a running server.`;
  let server;
  if (key === 'pg') server = await startPostgres(root, port);
  else {
    const data = join(root, '.data');
    await mkdir(join(data, 'logs'), { recursive: true });
    await mkdir(join(data, 'run'), { recursive: true });
    server = await startDaemon(key, {
      bin: await ensureBinary(DAEMONS[key].bin, { why, hint }),
      port,
      dir: join(data, key),
      logFile: join(data, 'logs', `${key}.log`),
      pidFile: join(data, 'run', `${key}.pid`),
    });
  }
  started.push({ label: kind.label, stop: () => server.stop() });
  let last;
  await waitFor(async () => (last = await kind.probe(own)).ok, {
    timeoutMs: 60_000,
    onTimeout: () =>
      new StackError(`${kind.label}: not ready after 60 s`, { hint: `last probe: ${last?.reason}` }),
  });
  log.ok(`${kind.label}: private instance ready at ${own} (${last.detail}; log ${server.logFile})`);
  return { url: own, private: true, started: true };
}

/** Stops every private server recorded under `root`/.data, whoever started it. */
export async function stopLeftovers(root) {
  for (const key of Object.keys(SERVERS)) {
    const stopped = key === 'pg' ? await stopLeftoverPostgres(root) : await stopLeftoverDaemon(root, key);
    if (stopped) log.ok(`${SERVERS[key].label}: stopped the private instance`);
    else log.info(`${SERVERS[key].label}: no private instance running`);
  }
}

async function stopLeftoverDaemon(root, key) {
  const pidFile = join(root, '.data', 'run', `${key}.pid`);
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  const alive = () => pid > 0 && isProcessRunning(pid, DAEMONS[key].bin);
  const wasRunning = await alive();
  if (wasRunning) {
    process.kill(pid, 'SIGTERM');
    const gone = await waitFor(async () => !(await alive()), {
      timeoutMs: 15_000,
      onTimeout: () => false,
    }).catch(() => false);
    if (!gone) process.kill(pid, 'SIGKILL');
  }
  await rm(pidFile, { force: true });
  return wasRunning;
}

/** Debian's Postgres tools, of the version that made `data` when there is one, else the newest; or PATH's. */
async function postgresTools(data) {
  const major = (await readFile(join(data, 'PG_VERSION'), 'utf8').catch(() => '')).trim();
  const versions = (await readdir('/usr/lib/postgresql').catch(() => []))
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => b - a);
  const version = versions.includes(major) ? major : versions[0];
  const tool = async (name) =>
    version && existsSync(`/usr/lib/postgresql/${version}/bin/${name}`)
      ? `/usr/lib/postgresql/${version}/bin/${name}`
      : which(name);
  const [initdb, pgCtl] = [await tool('initdb'), await tool('pg_ctl')];
  return initdb && pgCtl ? { initdb, pgCtl, initialised: major !== '' } : null;
}

/** Runs a Postgres tool as the postgres user when we are root (Postgres refuses to run as root). */
const pgTool = (command, args) =>
  isRoot()
    ? run('runuser', ['-u', PG_USER, '--', command, ...args], { capture: true })
    : run(command, args, { capture: true });

/** Where this checkout's private Postgres may live: .data/pg, or outside it when the postgres user cannot reach it. */
const pgDirs = (root) => [
  join(root, '.data', 'pg'),
  join('/var/tmp', `glotixz-${createHash('sha256').update(root).digest('hex').slice(0, 10)}`, 'pg'),
];

async function preparePgDir(root) {
  const dirs = pgDirs(root);
  if (!isRoot()) {
    await mkdir(dirs[0], { recursive: true, mode: 0o700 });
    return dirs[0];
  }
  const ids = await Promise.all(['-u', '-g'].map((flag) => run('id', [flag, PG_USER], { capture: true })));
  if (ids.some((id) => id.code !== 0))
    throw new StackError(`the "${PG_USER}" system user is missing; reinstall postgresql`);
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true });
    await chown(dir, ...ids.map((id) => Number(id.output.trim())));
    await chmod(dir, 0o700);
    if ((await pgTool('test', ['-w', dir])).code === 0) {
      if (dir !== dirs[0]) log.warn(`Postgres: the postgres user cannot reach ${dirs[0]}; using ${dir}`);
      return dir;
    }
  }
  throw new StackError(`the postgres user cannot write to ${dirs.join(' nor ')}`);
}

/** Runs a Postgres tool, throwing its output (and `logFile`'s last lines) when it fails. */
async function pgStep(what, command, args, logFile) {
  const { code, output } = await pgTool(command, args);
  if (code !== 0)
    throw new StackError(`Postgres: ${what} failed`, { hint: `${output.trim()}\n${await tail(logFile)}` });
}

async function startPostgres(root, port) {
  const dir = await preparePgDir(root);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  let tools = await postgresTools(data);
  if (!tools) {
    await aptInstall('postgresql', {
      label: 'Postgres',
      what: 'Postgres is not reachable',
      hint: 'Install postgresql or set PG_ADMIN_URL to a running server.',
    });
    tools = await postgresTools(data);
    if (!tools) throw new StackError('postgresql was installed but initdb/pg_ctl are still not found');
  }
  if (!tools.initialised) {
    await rm(data, { recursive: true, force: true });
    log.info(`Postgres: initdb ${data}`);
    const init = ['-D', data, '-U', PG_USER, '--auth=trust', '--encoding=UTF8', '--locale=C'];
    await pgStep('initdb', tools.initdb, init, logFile);
  }
  const socketDir = !dir.includes("'") && Buffer.byteLength(`${dir}/.s.PGSQL.${port}`) < 100 ? dir : '';
  const options = `-p ${port} -c listen_addresses=${HOST} -c unix_socket_directories='${socketDir}' -c max_connections=200 -c synchronous_commit=off`;
  await pgStep(
    'pg_ctl start',
    tools.pgCtl,
    ['-D', data, '-l', logFile, '-w', '-t', '60', '-o', options, 'start'],
    logFile,
  );
  return { logFile, stop: () => pgCtlStop(tools.pgCtl, dir) };
}

const pgCtlStop = (pgCtl, dir) =>
  pgStep(
    'pg_ctl stop',
    pgCtl,
    ['-D', join(dir, 'data'), '-m', 'fast', '-w', '-t', '30', 'stop'],
    join(dir, 'server.log'),
  );

async function stopLeftoverPostgres(root) {
  for (const dir of pgDirs(root)) {
    const data = join(dir, 'data');
    if (!existsSync(join(data, 'postmaster.pid'))) continue;
    const tools = await postgresTools(data);
    if (!tools || (await pgTool(tools.pgCtl, ['-D', data, 'status'])).code !== 0) continue;
    await pgCtlStop(tools.pgCtl, dir);
    return true;
  }
  return false;
}

/** The admin URL with its database replaced by `name`. */
export function databaseUrl(adminUrl, name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Step (c) of the bootstrap: creates each database that does not exist yet; answers which were created. */
export async function ensureDatabases(adminUrl, names) {
  const bad = names.find((name) => !/^[a-z_][a-z0-9_]{0,62}$/.test(name));
  if (bad) throw new Error(`invalid database name: ${bad}`);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  const created = [];
  try {
    for (const name of names) {
      if ((await client.query('select 1 from pg_database where datname = $1', [name])).rowCount > 0) continue;
      // A concurrent run may create it first.
      await client.query(`create database "${name}"`).then(
        () => created.push(name),
        (err) => {
          if (err.code !== '42P04' && err.code !== '23505') throw err;
        },
      );
    }
  } finally {
    await client.end();
  }
  return created;
}
