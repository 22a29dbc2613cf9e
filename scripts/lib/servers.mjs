/**
 * Private Postgres, NATS and Redis servers, for the bootstrap (scripts/README.md, "Bootstrap") and
 * for the fault tests (`startDaemon`).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError, log, redactUrl } from './log.mjs';
import { probeNats, probePostgres, probeRedis, probeTcp } from './probes.mjs';
import { exited, isProcessRunning, isRoot, run, stopChild, waitFor, which } from './proc.mjs';

const HOST = '127.0.0.1';

/** Each server: the variable naming the one to use, its default and private ports, how it runs. */
export const SERVERS = {
  pg: {
    label: 'Postgres',
    urlVar: 'PG_ADMIN_URL',
    ports: [5432, 54329],
    probe: probePostgres,
    bin: 'postgres',
    args: (port, dir) => [
      ...['-D', join(dir, 'data'), '-p', String(port), '-c', `listen_addresses=${HOST}`],
      ...['-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'synchronous_commit=off'],
    ],
    readyLine: /database system is ready to accept connections/,
    // Postgres' fast shutdown; SIGTERM would wait for every client to leave.
    stopSignal: 'SIGINT',
  },
  nats: {
    label: 'NATS',
    urlVar: 'NATS_URL',
    ports: [4222, 42229],
    probe: probeNats,
    bin: 'nats-server',
    // One server of a cluster (the fault tests'): its routes' port, the routes it solicits and the
    // route address it gossips, which the fault tests point nowhere so only their routes exist.
    args: (port, dir, { cluster } = {}) => [
      ...['-js', '-a', HOST, '-p', String(port), '-sd', dir],
      ...(cluster
        ? [
            ...['--server_name', cluster.serverName, '--cluster_name', cluster.name],
            ...['--cluster', `nats://${HOST}:${cluster.port}`, '--routes', cluster.routes.join(',')],
            ...(cluster.advertise ? ['--cluster_advertise', cluster.advertise] : []),
          ]
        : []),
    ],
    readyLine: /Server is ready/,
  },
  redis: {
    label: 'Redis',
    urlVar: 'REDIS_URL',
    ports: [6379, 63799],
    probe: probeRedis,
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

/** Installs a Debian package as root, or fails saying `what` is wrong, what to install and `hint`. */
export async function aptInstall(pkg, { label, what, hint }) {
  if (!isRoot() || !which('apt-get')) throw new StackError(`${what} and ${pkg} is not installed. ${hint}`);
  const apt = async (args, message) => {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
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

/** Finds `bin` (see `which`), installing its package (same name) when missing and root. */
export async function ensureBinary(bin, { why = `${bin} is needed`, hint = '' } = {}) {
  if (!which(bin)) {
    const install = `Install ${bin} (Debian/Ubuntu: apt-get install ${bin}). ${hint}`;
    await aptInstall(bin, { label: bin, what: why, hint: install });
  }
  const found = which(bin);
  if (!found) throw new StackError(`${bin} was installed but is still not found`);
  return found;
}

/** Children to kill when this process exits, whatever went wrong (the fault tests' servers). */
const owned = new Set();
process.once('exit', () => owned.forEach((child) => child.kill('SIGKILL')));

/**
 * Starts a server of SERVERS on `port` with its data in `dir`, in its own process group (as `user`
 * if given), its output appended to dir/server.log; resolves once it logged that it is ready and
 * accepts connections. With `pidFile` the pid is written there and the server outlives this
 * process; otherwise it is killed when this process exits.
 * @param {'nats' | 'redis' | 'pg'} kind
 * @param {{ bin: string, port: number, dir: string, pidFile?: string,
 *   options?: { persistence?: 'aof' | 'none', cluster?: { name: string, serverName: string, port: number,
 *   routes: string[], advertise?: string } }, user?: { uid: number, gid: number } }} settings
 */
export async function startDaemon(kind, { bin, port, dir, pidFile, options, user }) {
  const daemon = SERVERS[kind];
  const logFile = join(dir, 'server.log');
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
    output: async () =>
      (await readFile(logFile, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-200).join('\n'),
    async start() {
      if (running()) return;
      await mkdir(dir, { recursive: true });
      const from = existsSync(logFile) ? statSync(logFile).size : 0;
      const fd = openSync(logFile, 'a');
      const spawned = spawn(bin, daemon.args(port, dir, options), {
        ...user,
        cwd: dir,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      child = spawned;
      let spawnError;
      spawned.once('error', (err) => (spawnError = err));
      if (pidFile) await writeFile(pidFile, `${spawned.pid}\n`);
      else owned.add(spawned.once('exit', () => owned.delete(spawned)));
      await waitFor(
        async () => {
          if (spawnError) throw new StackError(`could not start ${bin}: ${spawnError.message}`);
          if (!running() || child !== spawned)
            throw new StackError(`${kind}: exited during start-up`, { hint: await server.output() });
          const text = (await readFile(logFile)).subarray(from).toString();
          return daemon.readyLine.test(text) && probeTcp(HOST, port);
        },
        {
          timeoutMs: 60_000,
          intervalMs: 25,
          onTimeout: () => new StackError(`${kind}: not ready on port ${port} after 60 s (log: ${logFile})`),
        },
      );
    },
    /** A clean shutdown; SIGKILL after 10 s. */
    async stop() {
      if (running()) await stopChild(child, { timeoutMs: 10_000, signal: daemon.stopSignal });
      if (pidFile) await rm(pidFile, { force: true });
    },
    /** SIGKILL, as a crash. */
    async kill() {
      if (running()) child.kill('SIGKILL');
      if (child) await exited(child);
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
  await server.start().catch(async (err) => {
    await server.kill();
    throw err;
  });
  return server;
}

/** The variable setting a private server's port: STACK_PG_PORT, STACK_NATS_PORT, STACK_REDIS_PORT. */
const portVar = (key) => `STACK_${key.toUpperCase()}_PORT`;

const urlOf = (key, port) =>
  key === 'pg' ? `postgres://postgres@${HOST}:${port}/postgres` : `${key}://${HOST}:${port}`;

const pidFileOf = (root, key) => join(root, '.data', 'run', `${key}.pid`);

/**
 * Makes Postgres, NATS and Redis reachable for the stack rooted at `root`: `ensure()` answers
 * `{ url, private, started }` per server, `stop()` stops only the private ones it started,
 * `keepRunning()` forgets them.
 */
export function createServers(root, env = process.env) {
  const started = [];
  return {
    async ensure() {
      const endpoints = {};
      for (const [key, { ports }] of Object.entries(SERVERS)) {
        const port = Number(env[portVar(key)] ?? ports[1]);
        if (!Number.isInteger(port) || port < 1 || port > 65535)
          throw new StackError(`${portVar(key)} must be a port`);
        const url = env[SERVERS[key].urlVar] || urlOf(key, ports[0]);
        endpoints[key] = await ensureOne(root, key, url, port, started);
      }
      return endpoints;
    },
    async stop() {
      for (const { label, server } of started.splice(0).reverse()) {
        log.step(`${label}: stopping the private instance`);
        await server.stop().then(
          () => log.ok(`${label}: stopped`),
          (err) => log.warn(`${label}: could not stop cleanly: ${err.message}`),
        );
      }
    },
    keepRunning: () => void started.splice(0),
  };
}

async function ensureOne(root, key, url, port, started) {
  const { label, urlVar, probe, bin } = SERVERS[key];
  const configured = await probe(url);
  if (configured.ok) {
    log.ok(`${label}: using ${redactUrl(url)} (${configured.detail})`);
    return { url, private: false, started: false };
  }
  log.info(`${label}: ${redactUrl(url)} is not usable: ${configured.reason}`);
  const own = urlOf(key, port);
  const leftover = own === url ? configured : await probe(own);
  if (leftover.ok) {
    log.ok(`${label}: reusing the private instance at ${own} (${leftover.detail})`);
    return { url: own, private: true, started: false };
  }
  if (await probeTcp(HOST, port)) {
    throw new StackError(
      `${label}: port ${port} is taken by something that is not a usable ${label}. ` +
        `Free the port, set ${portVar(key)} to another port, or set ${urlVar} to a running server.`,
    );
  }
  log.step(`${label}: starting a private instance on ${HOST}:${port}`);
  const why = { why: `${label} is not reachable`, hint: `Or set ${urlVar} to a running server.` };
  await mkdir(join(root, '.data', 'run'), { recursive: true });
  const settings = { port, pidFile: pidFileOf(root, key) };
  const server =
    key === 'pg'
      ? await startPostgres(root, settings, why)
      : await startDaemon(key, {
          ...settings,
          bin: await ensureBinary(bin, why),
          dir: join(root, '.data', key),
        });
  started.push({ label, server });
  const ready = await probe(own);
  if (!ready.ok) throw new StackError(`${label}: started but not usable: ${ready.reason}`);
  log.ok(`${label}: private instance ready at ${own} (${ready.detail}; log ${server.logFile})`);
  return { url: own, private: true, started: true };
}

/** Stops every private server recorded under `root`/.data, whoever started it. */
export async function stopLeftovers(root) {
  for (const [key, { label }] of Object.entries(SERVERS)) {
    const pidFile = pidFileOf(root, key);
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    const alive = () => pid > 0 && isProcessRunning(pid, SERVERS[key].bin);
    const wasRunning = await alive();
    if (wasRunning) {
      process.kill(pid, SERVERS[key].stopSignal ?? 'SIGTERM');
      const gone = await waitFor(async () => !(await alive()), { timeoutMs: 15_000 });
      if (!gone) process.kill(pid, 'SIGKILL');
    }
    await rm(pidFile, { force: true });
    if (wasRunning) log.ok(`${label}: stopped the private instance`);
    else log.info(`${label}: no private instance running`);
  }
}

/** Debian's `postgres`, of the version that made `data` if there is one, else the newest; or PATH's. */
async function postgresBin(data) {
  const major = (await readFile(join(data, 'PG_VERSION'), 'utf8').catch(() => '')).trim();
  const versions = (await readdir('/usr/lib/postgresql').catch(() => [])).filter((v) => /^\d+$/.test(v));
  const version = versions.includes(major) ? major : versions.sort((a, b) => b - a)[0];
  return version ? `/usr/lib/postgresql/${version}/bin/postgres` : which('postgres');
}

/** Initialises (once) and starts Postgres; as root as the postgres user, in a folder that user can reach. */
async function startPostgres(root, settings, { why, hint }) {
  const user = isRoot() ? postgresUser() : undefined;
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 10);
  const dirs = [join(root, '.data', 'pg'), join('/var/tmp', `glotixz-${hash}`, 'pg')];
  let dir;
  for (const candidate of dirs) {
    await mkdir(candidate, { recursive: true });
    if (user) await chown(candidate, user.uid, user.gid);
    await chmod(candidate, 0o700);
    if ((await run('test', ['-w', candidate], { ...user, cwd: '/', capture: true })).code === 0) {
      dir = candidate;
      break;
    }
  }
  if (!dir) throw new StackError(`the postgres user cannot write to ${dirs.join(' nor ')}`);
  if (dir !== dirs[0]) log.warn(`Postgres: the postgres user cannot reach ${dirs[0]}; using ${dir}`);
  const data = join(dir, 'data');
  if (!(await postgresBin(data))) await aptInstall('postgresql', { label: 'Postgres', what: why, hint });
  const bin = await postgresBin(data);
  if (!bin) throw new StackError('postgresql was installed but its programs are still not found');
  if (!existsSync(join(data, 'PG_VERSION'))) {
    log.info(`Postgres: initdb ${data}`);
    await rm(data, { recursive: true, force: true });
    const args = ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C'];
    const init = await run(bin.replace(/postgres$/, 'initdb'), args, { ...user, cwd: dir, capture: true });
    if (init.code !== 0) throw new StackError('Postgres: initdb failed', { hint: init.output.trim() });
  }
  return startDaemon('pg', { ...settings, bin, dir, user });
}

/** The postgres system user's ids (Postgres refuses to run as root). */
function postgresUser() {
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'));
  if (!entry) throw new StackError('the "postgres" system user is missing; install or reinstall postgresql');
  const [uid, gid] = entry.split(':').slice(2, 4).map(Number);
  return { uid, gid };
}

/** The admin URL with its database replaced by `name`. */
export function databaseUrl(adminUrl, name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates each database that does not exist yet; answers which were created. */
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
