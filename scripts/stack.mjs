#!/usr/bin/env node
/**
 * The local stack runner behind `npm start` and `npm test` (USAGE below). Both bootstrap: (a)
 * install dependencies when stale, (b) make Postgres, NATS and Redis reachable (running servers or
 * private ones under .data/), (c) create each service's database, (d) generate dev keys once.
 * `start` then runs the launch spec (services.mjs) supervised; `test` runs the steps with the
 * servers chosen (TEST_*_URL) and the fault tests' binaries (TEST_*_SERVER_BIN), stopping at the
 * first failure. Until `npm install` has run, only Node built-ins load at the top level.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedDemo } from './demo.mjs';
import { ensureDependencies } from './lib/install.mjs';
import { ensureDevKeys } from './lib/keys.mjs';
import { StackError, color, createPrefixer, log, printTable, redactUrl } from './lib/log.mjs';
import { probeTcp } from './lib/probes.mjs';
import { describeExit, run, startSupervised, terminateRunning, waitFor } from './lib/proc.mjs';
import {
  aptInstall,
  createServers,
  databaseUrl,
  ensureBinary,
  ensureDatabases,
  SERVERS,
  stopLeftovers,
} from './lib/servers.mjs';
import {
  launchCommand,
  presentProcesses,
  processEnv,
  processes,
  readiness,
  services,
  workspaceDir,
} from './services.mjs';

const ROOT = resolvePath(fileURLToPath(new URL('..', import.meta.url)));
const GATEWAY_PORT = Number(process.env.GATEWAY_PORT ?? 8080);
const READY_TIMEOUT_MS = Number(process.env.STACK_READY_TIMEOUT_MS ?? 90_000);
const STOP_TIMEOUT_MS = 10_000;
/** The key payments and the sandbox share when the sandbox stands in for Stripe. */
const SANDBOX_SECRET_KEY = 'sk_test_glotixz_sandbox';

const USAGE = `usage: node scripts/stack.mjs <command>

  start [--demo]      bootstrap, build and run the stack; gateway on http://localhost:${GATEWAY_PORT}
  test                bootstrap, then build, typecheck, lint, workspace tests and script tests
  bootstrap [--keep]  bootstrap only and print the URLs chosen
  stop                stop private servers left running under .data/

environment: PG_ADMIN_URL, NATS_URL, REDIS_URL (servers to use), STACK_PG_PORT, STACK_NATS_PORT,
STACK_REDIS_PORT (ports of private servers), GATEWAY_PORT, GATEWAY_HOST (default 127.0.0.1),
GATEWAY_HEADERS_TIMEOUT_MS, GATEWAY_REQUEST_TIMEOUT_MS, GATEWAY_BODY_IDLE_TIMEOUT_MS,
GATEWAY_MAX_CONNECTIONS_PER_ADDRESS, STACK_READY_TIMEOUT_MS, LOG_LEVEL, HOST (where the services
listen, default 127.0.0.1). Every other variable reaches the services as it is.`;

/** A repeat within this window is the same interrupt delivered twice (terminal and npm both send it). */
const REPEATED_SIGNAL_MS = 2000;

const cleanups = [];
let shuttingDown = false;
let interruptedAt = 0;
let interruptExitCode = 0;

async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((err) => log.warn(`clean-up failed: ${err.message}`));
  }
  process.exit(code);
}

function onSignal(signal) {
  if (interruptedAt && Date.now() - interruptedAt < REPEATED_SIGNAL_MS) return;
  if (shuttingDown) {
    log.warn(`${signal} again: exiting without waiting (private servers stay up and are reused next time)`);
    process.exit(130);
  }
  interruptedAt = Date.now();
  console.log('');
  log.step(`${signal} received: shutting down`);
  terminateRunning();
  void shutdown(interruptExitCode);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function bootstrap() {
  log.step(`Glotixz stack in ${ROOT} (node ${process.version})`);
  await ensureDependencies(ROOT);
  const servers = createServers(ROOT);
  cleanups.push(() => servers.stop());
  const endpoints = await servers.ensure();

  const present = presentProcesses(ROOT);
  const absent = processes.filter((p) => !present.includes(p));
  log.ok(
    `In this checkout: ${present.map((p) => p.name).join(', ') || 'nothing'}` +
      (absent.length > 0 ? color.dim(` (not started: ${absent.map((p) => p.name).join(', ')})`) : ''),
  );
  const withDb = present.filter((p) => p.database);
  const created = await ensureDatabases(
    endpoints.pg.url,
    withDb.map((p) => p.database),
  );
  log.ok(
    `Databases: ${withDb.map((p) => p.database).join(', ') || 'none'}${created.length ? ` (created ${created.join(', ')})` : ''}`,
  );
  const keys = await ensureDevKeys(join(ROOT, '.data', 'keys'));
  log.ok(`Dev keys in .data/keys${keys.generated.length ? ` (generated ${keys.generated.join(', ')})` : ''}`);

  const wiring = {
    ports: Object.fromEntries(present.map((p) => [p.name, p.name === 'gateway' ? GATEWAY_PORT : p.port])),
    databases: Object.fromEntries(withDb.map((p) => [p.name, databaseUrl(endpoints.pg.url, p.database)])),
    natsUrl: endpoints.nats.url,
    redisUrl: endpoints.redis.url,
    keys: { ...keys, stripeSecretKey: SANDBOX_SECRET_KEY },
    logLevel: process.env.LOG_LEVEL,
  };
  return { endpoints, servers, present, wiring };
}

/** The status of GET `url` and the start of its body, or status 0 and why nothing answered. */
async function answerOf(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, text: (await res.text()).slice(0, 300) };
  } catch (err) {
    return { status: 0, text: err.cause?.code ?? err.message };
  }
}

/** A process of the spec under supervision: a crash once it was ready restarts it, told in the log and a fresh table. */
function startProcess(proc, wiring, prefixer, showStatus) {
  const [command, ...args] = launchCommand(proc, ROOT);
  const ready = readiness(proc);
  const url = `http://127.0.0.1:${wiring.ports[proc.name]}${ready.path}`;
  // The gateway's access log shows only what failed, like the services' errors.
  const show = proc.name === 'gateway' ? (line) => !/ → \S+ [1-4]\d\d \d+ ms$/.test(line) : undefined;
  const handle = startSupervised({
    name: proc.name,
    command,
    args,
    cwd: workspaceDir(ROOT, proc),
    env: processEnv(proc, wiring),
    attach: (child) => [child.stdout, child.stderr].forEach((s) => prefixer.attach(proc.name, s, show)),
    isReady: async () => (await answerOf(url)).status === ready.status,
    onCrash: (h, delayMs) =>
      log.fail(
        color.red(
          `${proc.name} exited unexpectedly (${describeExit(h.exit)}); restarting in ${seconds(delayMs)} (restart ${h.restarts + 1})`,
        ),
      ),
    onRestarted: (h) => {
      log.ok(`${proc.name} restarted and ready (restarts: ${h.restarts})`);
      showStatus();
    },
  });
  let last;
  handle.ready = waitFor(
    async () => {
      if (handle.exit) {
        throw new StackError(
          `${proc.name} exited during start-up (${describeExit(handle.exit)}); see its output above`,
        );
      }
      return (last = await answerOf(url)).status === ready.status;
    },
    {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 300,
      onTimeout: () =>
        new StackError(`${proc.name} is not ready after ${seconds(READY_TIMEOUT_MS)}`, {
          hint: `last answer of ${url}: ${last?.status || 'none'} ${last?.text ?? ''}\n${proc.name} needs: ${proc.needs.join(', ') || 'nothing'}`,
        }),
    },
  ).then(() => handle.supervise());
  handle.proc = proc;
  return handle;
}

function printStatus(handles, { endpoints, wiring }) {
  const rows = [['service', 'port', 'status', 'restarts']];
  for (const proc of processes) {
    const h = handles.find((handle) => handle.proc === proc);
    const status = !h
      ? color.dim('not started')
      : h.status === 'ready'
        ? color.green('ready')
        : color.red(h.status);
    rows.push([proc.name, wiring.ports[proc.name] ?? proc.port, status, h ? String(h.restarts) : '']);
  }
  for (const [key, endpoint] of Object.entries(endpoints)) {
    const state = endpoint.private ? `private (${endpoint.started ? 'started' : 'reused'})` : 'shared';
    const port = new URL(endpoint.url.split(',')[0]).port || SERVERS[key].ports[0];
    rows.push([SERVERS[key].label.toLowerCase(), port, state, '']);
  }
  console.log('');
  printTable(rows);
  console.log('');
}

async function commandStart({ demo }) {
  const context = await bootstrap();
  const { present, wiring } = context;
  if (!present.some((p) => services.includes(p)))
    throw new StackError('no service workspace exists yet: nothing to start');
  for (const proc of present) {
    if (await probeTcp('127.0.0.1', wiring.ports[proc.name])) {
      throw new StackError(
        `port ${wiring.ports[proc.name]} (${proc.name}) is already in use: is another stack running?`,
      );
    }
  }
  log.step('Building: npm run build');
  const build = await run('npm', ['run', 'build'], { cwd: ROOT });
  if (build.code !== 0) throw new StackError(`the build failed (exit code ${build.code})`);

  const prefixer = createPrefixer(present.map((p) => p.name));
  log.step(`Starting ${present.map((p) => p.name).join(', ')}`);
  const handles = [];
  const showStatus = () => printStatus(handles, context);
  handles.push(...present.map((proc) => startProcess(proc, wiring, prefixer, showStatus)));
  cleanups.push(async () => {
    const running = handles.filter((h) => !h.exit);
    if (running.length > 0) log.step(`Stopping ${running.map((h) => h.name).join(', ')}`);
    await Promise.all(
      handles.map(async (h) => {
        if (!(await h.stop({ timeoutMs: STOP_TIMEOUT_MS, group: true }))) {
          log.warn(`${h.name} did not stop within ${seconds(STOP_TIMEOUT_MS)}: killed`);
        }
      }),
    );
  });
  await Promise.all(handles.map((h) => h.ready));
  showStatus();
  if (demo) {
    const baseUrl = `http://127.0.0.1:${GATEWAY_PORT}`;
    await seedDemo({ baseUrl, present: new Set(present.map((p) => p.name)) }).then(
      (lines) => lines.forEach((line) => log.ok(line)),
      (err) => log.warn(`demo data: ${err.message}`),
    );
  }
  console.log(
    color.bold(`Glotixz is running at http://localhost:${GATEWAY_PORT}`) + color.dim('  (Ctrl-C to stop)'),
  );
}

/** The browser the end-to-end tests drive: Debian's Chromium (or CHROMIUM_PATH), never a downloaded build. */
async function ensureChromium(env = process.env) {
  const path = env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    if (env.CHROMIUM_PATH) throw new StackError(`CHROMIUM_PATH=${path} does not exist`);
    await aptInstall('chromium', {
      label: 'Chromium',
      what: 'The browser tests need Chromium',
      hint: 'Install chromium (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.',
    });
    if (!existsSync(path)) throw new StackError(`chromium was installed but ${path} is missing`);
  }
  log.ok(`Chromium: ${path}`);
  return path;
}

async function commandTest() {
  interruptExitCode = 130;
  const { endpoints } = await bootstrap();
  const why = 'the fault tests run private servers';
  const resultsDir = join(ROOT, '.data', 'test-results');
  const env = {
    ...process.env,
    TEST_PG_ADMIN_URL: endpoints.pg.url,
    TEST_NATS_URL: endpoints.nats.url,
    TEST_REDIS_URL: endpoints.redis.url,
    CHROMIUM_PATH: await ensureChromium(),
    TEST_NATS_SERVER_BIN: await ensureBinary('nats-server', { why }),
    TEST_REDIS_SERVER_BIN: await ensureBinary('redis-server', { why }),
    GLOTIXZ_TEST_RESULTS_DIR: resultsDir,
  };
  for (const name of Object.keys(env).filter((n) => n.startsWith('TEST_'))) {
    log.info(`${name}=${redactUrl(env[name])}`);
  }
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });

  const scriptTests = readdirSync(join(ROOT, 'scripts', 'test')).filter((f) => f.endsWith('.test.mjs'));
  if (scriptTests.length === 0) throw new StackError('no tests found in scripts/test/');
  // The build produces common's declarations, which lint's type-aware rules resolve against, and
  // the services' and client's builds, which the system and browser tests run.
  const steps = [
    ['build', 'npm', 'run', 'build'],
    ['typecheck', 'npm', 'run', 'typecheck'],
    ['lint', 'npm', 'run', 'lint'],
    ['workspace tests', 'npm', 'run', 'test:workspaces'],
    [
      'script tests',
      process.execPath,
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=./scripts/lib/node-test-summary-reporter.mjs',
      `--test-reporter-destination=${join(resultsDir, 'scripts.json')}`,
      ...scriptTests.sort().map((f) => join('scripts', 'test', f)),
    ],
  ].map(([name, command, ...args]) => ({ name, command, args }));
  const results = new Map();
  for (const step of steps) {
    console.log('');
    log.step(
      `${step.name}: ${step.command === process.execPath ? 'node' : step.command} ${step.args.join(' ')}`,
    );
    const started = Date.now();
    const { code } = await run(step.command, step.args, { cwd: ROOT, env });
    if (interruptedAt) return 130;
    results.set(step.name, { code, ms: Date.now() - started });
    if (code !== 0) break;
  }

  const failed = [...results.values()].filter((r) => r.code !== 0).length;
  const skipped = steps.length - results.size;
  console.log('');
  printTable([
    ['step', 'result', 'time'],
    ...steps.map(({ name }) => {
      const r = results.get(name);
      if (!r) return [name, color.dim('skipped'), ''];
      return [
        name,
        r.code === 0 ? color.green('passed') : color.red(`failed (exit ${r.code})`),
        seconds(r.ms),
      ];
    }),
  ]);
  console.log(
    `steps: ${results.size - failed} of ${steps.length} succeeded${skipped ? `, ${skipped} not run` : ''}`,
  );
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const file of readdirSync(resultsDir).filter((f) => f.endsWith('.json'))) {
    const counts = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    for (const key of Object.keys(totals)) totals[key] += counts[key];
  }
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  return failed === 0 && totals.failed === 0 ? 0 : 1;
}

async function commandBootstrap({ keep }) {
  const { endpoints, servers } = await bootstrap();
  console.log('');
  console.log(
    `PG_ADMIN_URL=${endpoints.pg.url}\nNATS_URL=${endpoints.nats.url}\nREDIS_URL=${endpoints.redis.url}`,
  );
  if (keep) {
    servers.keepRunning();
    log.info('private servers stay up; stop them with: node scripts/stack.mjs stop');
  }
}

async function main() {
  const [command, ...flags] = process.argv.slice(2);
  const known = { start: ['--demo'], test: [], bootstrap: ['--keep'], stop: [] };
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (!(command in known)) throw new StackError(`unknown command: ${command}\n\n${USAGE}`);
  const unknown = flags.filter((f) => !known[command].includes(f));
  if (unknown.length > 0)
    throw new StackError(`unknown option for ${command}: ${unknown.join(' ')}\n\n${USAGE}`);

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (command === 'start') return commandStart({ demo: flags.includes('--demo') }).then(() => null);
  if (command === 'test') return commandTest();
  if (command === 'bootstrap') return commandBootstrap({ keep: flags.includes('--keep') }).then(() => 0);
  return stopLeftovers(ROOT).then(() => 0);
}

try {
  const code = await main();
  if (code !== null) await shutdown(code);
} catch (err) {
  if (err instanceof StackError) {
    log.fail(err.message);
    if (err.hint) console.error(color.dim(err.hint.replace(/^/gm, '    ')));
  } else {
    log.fail(err.stack ?? String(err));
  }
  await shutdown(1);
}
