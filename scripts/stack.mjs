#!/usr/bin/env node
/**
 * The local stack runner behind `npm start` and `npm test` (USAGE below; what the bootstrap does:
 * scripts/README.md). Until `npm install` has run, only Node built-ins load at the top level.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seedDemo } from './demo.mjs';
import { ensureDependencies } from './lib/install.mjs';
import { ensureDevKeys } from './lib/keys.mjs';
import { StackError, color, createPrefixer, log, printTable, redactUrl } from './lib/log.mjs';
import { probeTcp } from './lib/probes.mjs';
import { describeExit, run, startSupervised, terminateRunning, waitFor } from './lib/proc.mjs';
import * as infra from './lib/servers.mjs';
import * as spec from './services.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const GATEWAY_PORT = Number(process.env.GATEWAY_PORT ?? 8080);
const READY_TIMEOUT_MS = Number(process.env.STACK_READY_TIMEOUT_MS ?? 90_000);
const STOP_TIMEOUT_MS = 10_000;
/** The key payments and the sandbox share when the sandbox stands in for Stripe. */
const SANDBOX_SECRET_KEY = 'sk_test_glotixz_sandbox';

const USAGE = `usage: node scripts/stack.mjs <command>

  start [--demo] [--replicas N|name=N,...]
                      bootstrap, build and run the stack; gateway on http://localhost:${GATEWAY_PORT};
                      with --replicas, N processes of each (or the named) service behind the gateway
  test                bootstrap, then build, typecheck, lint, workspace tests and script tests
  bootstrap [--keep]  bootstrap only and print the URLs chosen
  stop                stop private servers left running under .data/

Its environment variables are listed in scripts/README.md; every other variable reaches the services.`;

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
  // A repeat within 2 s is the same interrupt delivered twice (terminal and npm both send it).
  if (Date.now() - interruptedAt < 2000) return;
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
const made = (names, verb = 'created') => (names.length ? ` (${verb} ${names.join(', ')})` : '');

async function bootstrap(replicas = {}) {
  log.step(`Glotixz stack in ${ROOT} (node ${process.version})`);
  await ensureDependencies(ROOT);
  const servers = infra.createServers(ROOT);
  cleanups.push(() => servers.stop());
  const endpoints = await servers.ensure();

  const present = spec.presentProcesses(ROOT);
  const absent = spec.processes.filter((p) => !present.includes(p)).map((p) => p.name);
  const names = (list) => list.map((p) => p.name).join(', ');
  log.ok(`In this checkout: ${names(present)}${absent.length ? color.dim(` (not started: ${absent})`) : ''}`);
  const withDb = present.filter((p) => p.database);
  const databases = withDb.map((p) => p.database);
  const created = await infra.ensureDatabases(endpoints.pg.url, databases);
  log.ok(`Databases: ${databases.join(', ') || 'none'}${made(created)}`);
  const keys = await ensureDevKeys(join(ROOT, '.data', 'keys'));
  log.ok(`Dev keys in .data/keys${made(keys.generated, 'generated')}`);

  const ports = Object.fromEntries(
    present.map((p) => [p.name, p.name === 'gateway' ? GATEWAY_PORT : p.port]),
  );
  // Each process once, a service with replicas as many times: `orders-2` on its port + REPLICA_PORT_STEP, …
  const instances = present.flatMap((proc) =>
    Array.from({ length: replicas[proc.name] ?? 1 }, (_, i) => ({
      proc,
      name: i === 0 ? proc.name : `${proc.name}-${i + 1}`,
      port: ports[proc.name] + i * spec.REPLICA_PORT_STEP,
    })),
  );
  const portsOf = (name) => instances.filter((i) => i.proc.name === name).map((i) => i.port);
  const wiring = {
    ports,
    replicas: Object.fromEntries(Object.keys(replicas).map((name) => [name, portsOf(name)])),
    databases: Object.fromEntries(
      withDb.map((p) => [p.name, infra.databaseUrl(endpoints.pg.url, p.database)]),
    ),
    natsUrl: endpoints.nats.url,
    redisUrl: endpoints.redis.url,
    keys: { ...keys, stripeSecretKey: SANDBOX_SECRET_KEY },
    logLevel: process.env.LOG_LEVEL,
  };
  return { endpoints, servers, present, instances, wiring };
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

/** A process of the spec (one replica of it), supervised: a crash once it was ready restarts it, told in the log and a new table. */
function startProcess({ proc, name, port }, wiring, prefixer, showStatus) {
  const [command, ...args] = spec.launchCommand(proc, ROOT);
  const ready = spec.readiness(proc);
  const url = `http://127.0.0.1:${port}${ready.path}`;
  let last;
  const isReady = async () => (last = await answerOf(url)).status === ready.status;
  // The gateway's access log shows only what failed, like the services' errors.
  const show = proc.name === 'gateway' ? (line) => !/ → \S+ [1-4]\d\d \d+ ms$/.test(line) : undefined;
  const handle = startSupervised({
    name,
    command,
    args,
    cwd: spec.workspaceDir(ROOT, proc),
    env: { ...spec.processEnv(proc, wiring), PORT: String(port) },
    attach: (child) => [child.stdout, child.stderr].forEach((s) => prefixer.attach(name, s, show)),
    isReady,
    onCrash: (h, delayMs) =>
      log.fail(
        color.red(
          `${name} exited unexpectedly (${describeExit(h.exit)}); restarting in ${seconds(delayMs)} (restart ${h.restarts + 1})`,
        ),
      ),
    onRestarted: (h) => {
      log.ok(`${name} restarted and ready (restarts: ${h.restarts})`);
      showStatus();
    },
  });
  const exitedEarly = () => {
    throw new StackError(
      `${name} exited during start-up (${describeExit(handle.exit)}); see its output above`,
    );
  };
  Object.assign(handle, { proc, port });
  handle.ready = waitFor(async () => (handle.exit ? exitedEarly() : isReady()), {
    timeoutMs: READY_TIMEOUT_MS,
    intervalMs: 300,
    onTimeout: () =>
      new StackError(`${name} is not ready after ${seconds(READY_TIMEOUT_MS)}`, {
        hint: `last answer of ${url}: ${last?.status || 'none'} ${last?.text ?? ''}\n${proc.name} needs: ${proc.needs?.join(', ') || 'nothing'}`,
      }),
  }).then(() => handle.supervise());
  return handle;
}

function printStatus(handles, { endpoints }) {
  const rows = [['service', 'port', 'status', 'restarts']];
  for (const proc of spec.processes) {
    const own = handles.filter((handle) => handle.proc === proc);
    if (own.length === 0) rows.push([proc.name, proc.port, color.dim('not started'), '']);
    for (const h of own) {
      const status = (h.status === 'ready' ? color.green : color.red)(h.status);
      // MailDev listens twice: its web inbox (the port it is probed on) and SMTP.
      rows.push([
        h.name,
        proc.smtpPort ? `${h.port} (smtp ${proc.smtpPort})` : h.port,
        status,
        String(h.restarts),
      ]);
    }
  }
  for (const [key, endpoint] of Object.entries(endpoints)) {
    const state = endpoint.private ? `private (${endpoint.started ? 'started' : 'reused'})` : 'shared';
    const port = new URL(endpoint.url.split(',')[0]).port || infra.SERVERS[key].ports[0];
    rows.push([infra.SERVERS[key].label.toLowerCase(), port, state, '']);
  }
  printTable(rows);
}

async function commandStart({ demo, replicas }) {
  const context = await bootstrap(replicas);
  const { present, instances, wiring } = context;
  if (!present.some((p) => spec.services.includes(p)))
    throw new StackError('no service workspace exists yet: nothing to start');
  for (const { name, port } of instances) {
    if (await probeTcp('127.0.0.1', port))
      throw new StackError(`port ${port} (${name}) is already in use: is another stack running?`);
  }
  const build = await runStep('Building', ['npm', 'run', 'build']);
  if (build !== 0) throw new StackError(`the build failed (exit code ${build})`);

  const prefixer = createPrefixer(instances.map((i) => i.name));
  log.step(`Starting ${instances.map((i) => i.name).join(', ')}`);
  const handles = [];
  const showStatus = () => printStatus(handles, context);
  handles.push(...instances.map((instance) => startProcess(instance, wiring, prefixer, showStatus)));
  cleanups.push(async () => {
    const running = handles.filter((h) => !h.exit);
    if (running.length > 0) log.step(`Stopping ${running.map((h) => h.name).join(', ')}`);
    await Promise.all(
      handles.map(async (h) => {
        if (!(await h.stop({ timeoutMs: STOP_TIMEOUT_MS, group: true })))
          log.warn(`${h.name} did not stop within ${seconds(STOP_TIMEOUT_MS)}: killed`);
      }),
    );
  });
  await Promise.all(handles.map((h) => h.ready));
  showStatus();
  if (demo) {
    const names = new Set(present.map((p) => p.name));
    await seedDemo({ baseUrl: `http://127.0.0.1:${GATEWAY_PORT}`, present: names }).then(
      (lines) => lines.forEach((line) => log.ok(line)),
      (err) => log.warn(`demo data: ${err.message}`),
    );
  }
  console.log(
    color.bold(`Glotixz is running at http://localhost:${GATEWAY_PORT}`) + color.dim('  (Ctrl-C to stop)'),
  );
}

/** Runs a command in the repository with the terminal attached: its exit code, told with its time. */
async function runStep(name, [command, ...args], env = process.env) {
  log.step(`${name}: ${command === process.execPath ? 'node' : command} ${args.join(' ')}`);
  const started = Date.now();
  const { code } = await run(command, args, { cwd: ROOT, env });
  const time = seconds(Date.now() - started);
  if (code === 0) log.ok(`${name}: passed (${time})`);
  else log.fail(color.red(`${name}: failed with exit code ${code} (${time})`));
  return code;
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
    TEST_NATS_SERVER_BIN: await infra.ensureBinary('nats-server', { why }),
    TEST_REDIS_SERVER_BIN: await infra.ensureBinary('redis-server', { why }),
    // The browser the end-to-end tests drive: Debian's Chromium, never a downloaded build.
    CHROMIUM_PATH:
      process.env.CHROMIUM_PATH ||
      (await infra.ensureBinary('chromium', { why: 'the browser tests need it' })),
    GLOTIXZ_TEST_RESULTS_DIR: resultsDir,
  };
  for (const [name, value] of Object.entries(env))
    if (name.startsWith('TEST_')) log.info(`${name}=${redactUrl(value)}`);
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });

  const scriptTests = readdirSync(join(ROOT, 'scripts', 'test')).filter((f) => f.endsWith('.test.mjs'));
  if (scriptTests.length === 0) throw new StackError('no tests found in scripts/test/');
  const reporters = [
    ...['--test-reporter=spec', '--test-reporter-destination=stdout'],
    '--test-reporter=./scripts/lib/node-test-summary-reporter.mjs',
    `--test-reporter-destination=${join(resultsDir, 'scripts.json')}`,
  ];
  // The build produces common's declarations, which lint's type-aware rules resolve against, and
  // the services' and client's builds, which the system and browser tests run.
  const npmRun = (script) => ['npm', 'run', script];
  const steps = [
    ['build', npmRun('build')],
    ['typecheck', npmRun('typecheck')],
    ['lint', npmRun('lint')],
    ['workspace tests', npmRun('test:workspaces')],
    [
      'script tests',
      [process.execPath, '--test', ...reporters, ...scriptTests.sort().map((f) => `scripts/test/${f}`)],
    ],
  ];
  let done = 0;
  while (done < steps.length && (await runStep(...steps[done], env)) === 0 && !interruptedAt) done += 1;
  if (interruptedAt) return 130;
  const passed = done === steps.length;
  console.log(
    `\nsteps: ${done} of ${steps.length} succeeded${passed ? '' : `, ${steps.length - done - 1} not run`}`,
  );
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const file of readdirSync(resultsDir).filter((f) => f.endsWith('.json'))) {
    const counts = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    for (const key of Object.keys(totals)) totals[key] += counts[key];
  }
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  return passed && totals.failed === 0 ? 0 : 1;
}

async function commandBootstrap({ keep }) {
  const { endpoints, servers } = await bootstrap();
  const { pg, nats, redis } = endpoints;
  console.log(`\nPG_ADMIN_URL=${pg.url}\nNATS_URL=${nats.url}\nREDIS_URL=${redis.url}`);
  if (keep) {
    servers.keepRunning();
    log.info('private servers stay up; stop them with: node scripts/stack.mjs stop');
  }
  return 0;
}

/** Each command: what it does with its options (parsed with node:util's parseArgs) and which it takes. */
const COMMANDS = {
  start: [
    ({ demo, replicas = [] }) => {
      let counts;
      try {
        counts = spec.parseReplicas(replicas);
      } catch (err) {
        throw new StackError(err.message);
      }
      return commandStart({ demo, replicas: counts }).then(() => null);
    },
    { demo: { type: 'boolean' }, replicas: { type: 'string', multiple: true } },
  ],
  test: [commandTest],
  bootstrap: [commandBootstrap, { keep: { type: 'boolean' } }],
  stop: [() => infra.stopLeftovers(ROOT).then(() => 0)],
};

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  const [action, options = {}] = COMMANDS[command] ?? [];
  if (!action) throw new StackError(`unknown command: ${command}\n\n${USAGE}`);
  let values;
  try {
    ({ values } = parseArgs({ args, options }));
  } catch (err) {
    throw new StackError(`${command}: ${err.message}\n\n${USAGE}`);
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return action(values);
}

try {
  const code = await main();
  if (code !== null) await shutdown(code);
} catch (err) {
  log.fail(err instanceof StackError ? err.message : (err.stack ?? String(err)));
  if (err.hint) console.error(color.dim(err.hint.replace(/^/gm, '    ')));
  await shutdown(1);
}
