#!/usr/bin/env node
/**
 * The local stack runner behind `npm start` and `npm test`.
 *
 * Both commands run the same bootstrap: (a) install dependencies when node_modules is missing or
 * stale, (b) make Postgres, NATS (JetStream) and Redis reachable, using running servers or
 * private ones under .data/, (c) create one database per service present in this checkout,
 * (d) generate development keys once into .data/keys/. Then:
 *
 *   start [--demo]      build, start every present service (each migrates its own database), wait
 *                       for its /readyz, start the gateway on :8080 and run until Ctrl-C (--demo
 *                       also seeds demo data)
 *   test                build, typecheck, lint, the workspace tests against the bootstrapped servers
 *                       (TEST_PG_ADMIN_URL, TEST_NATS_URL, TEST_REDIS_URL; TEST_NATS_SERVER_BIN and
 *                       TEST_REDIS_SERVER_BIN for the fault tests' private servers, installed if
 *                       missing), then scripts/test/; stops at the first failure
 *   bootstrap [--keep]  the bootstrap only, printing the URLs chosen (--keep leaves private
 *                       servers running)
 *   stop                stop private servers left running under .data/
 *
 * Private servers this runner started are stopped when it exits. Until `npm install` has run,
 * only Node built-ins may be imported at the top level here and in what this file imports.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedDemo } from './demo.mjs';
import { createGateway, gatewayLimits, loadRoutes, startGatewayTracing } from './gateway.mjs';
import { ensureChromium } from './lib/browser.mjs';
import { ensureDatabases } from './lib/databases.mjs';
import { createInfra, stopLeftovers } from './lib/infra.mjs';
import { ensureDependencies } from './lib/install.mjs';
import { ensureDevKeys } from './lib/keys.mjs';
import { StackError, color, createPrefixer, log, printTable, redactUrl } from './lib/log.mjs';
import { probeTcp } from './lib/probes.mjs';
import { run, terminateRunning, waitFor } from './lib/proc.mjs';
import { describeExit, startSupervised } from './lib/supervise.mjs';
import { presentServices, serviceCommand, serviceProcessEnv, services } from './services.mjs';

const ROOT = resolvePath(fileURLToPath(new URL('..', import.meta.url)));
const GATEWAY_PORT = Number(process.env.GATEWAY_PORT ?? 8080);
const READY_TIMEOUT_MS = Number(process.env.STACK_READY_TIMEOUT_MS ?? 90_000);
const STOP_TIMEOUT_MS = 10_000;

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
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop();
    try {
      await cleanup();
    } catch (err) {
      log.warn(`clean-up failed: ${err.message}`);
    }
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

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function portOf(url, fallback) {
  try {
    return new URL(url).port || String(fallback);
  } catch {
    return String(fallback);
  }
}

async function bootstrap() {
  log.step(`Glotixz stack in ${ROOT} (node ${process.version})`);
  await ensureDependencies(ROOT);

  const infra = createInfra({ root: ROOT });
  cleanups.push(() => infra.stop());
  const endpoints = await infra.ensure();

  const present = presentServices(ROOT);
  const absent = services.filter((s) => !present.includes(s));
  log.ok(
    `Services in this checkout: ${present.map((s) => s.name).join(', ') || 'none'}` +
      (absent.length > 0 ? color.dim(` (not yet: ${absent.map((s) => s.name).join(', ')})`) : ''),
  );

  const databases = present.filter((s) => s.db).map((s) => s.db);
  const created = await ensureDatabases(endpoints.pg.url, databases);
  log.ok(
    `Databases: ${databases.join(', ') || 'none'}${created.length ? ` (created ${created.join(', ')})` : ''}`,
  );

  const keys = await ensureDevKeys(join(ROOT, '.data', 'keys'));
  log.ok(`Dev keys in .data/keys${keys.generated.length ? ` (generated ${keys.generated.join(', ')})` : ''}`);

  return { infra: endpoints, infraControl: infra, keys, present, logLevel: process.env.LOG_LEVEL };
}

/** The URL that answers 200 once a service is ready. */
function readyUrl(service) {
  return `http://127.0.0.1:${service.port}${service.readyPath ?? '/readyz'}`;
}

/**
 * Starts a service under supervision: once ready, a crash restarts it with backoff, told in the
 * log and, once it is ready again, in a fresh status table.
 */
function spawnService(service, context, prefixer, showStatus) {
  const [command, ...args] = serviceCommand(service);
  const handle = startSupervised({
    name: service.name,
    command,
    args,
    cwd: ROOT,
    env: serviceProcessEnv(service, context),
    attach: (child) => {
      prefixer.attach(service.name, child.stdout);
      prefixer.attach(service.name, child.stderr);
    },
    isReady: async () => (await readyzAnswer(readyUrl(service))).status === 200,
    onCrash: (h, delayMs) =>
      log.fail(
        color.red(
          `${service.name} exited unexpectedly (${describeExit(h.exit)}); restarting in ${seconds(delayMs)} (restart ${h.restarts + 1})`,
        ),
      ),
    onRestarted: (h) => {
      log.ok(`${service.name} restarted and ready (restarts: ${h.restarts})`);
      showStatus();
    },
  });
  handle.service = service;
  return handle;
}

async function readyzAnswer(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, text: (await res.text()).slice(0, 300) };
  } catch (err) {
    return { status: 0, text: err.cause?.code ?? err.message };
  }
}

async function waitReady(handle) {
  const { service } = handle;
  const url = readyUrl(service);
  let last;
  await waitFor(
    async () => {
      if (handle.exit) {
        throw new StackError(
          `${service.name} exited during start-up (${describeExit(handle.exit)}); see its output above`,
        );
      }
      last = await readyzAnswer(url);
      return last.status === 200;
    },
    {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 300,
      onTimeout: () =>
        new StackError(`${service.name} is not ready after ${seconds(READY_TIMEOUT_MS)}`, {
          hint: `last answer of ${url}: ${last?.status || 'none'} ${last?.text ?? ''}\n${service.name} needs: ${
            service.needs.join(', ') || 'nothing'
          }`,
        }),
    },
  );
  handle.supervise();
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', (err) =>
      reject(err.code === 'EADDRINUSE' ? new StackError(`gateway: port ${port} is already in use`) : err),
    );
    // Loopback only, like the services: GATEWAY_HOST=0.0.0.0 opens it to the network.
    server.listen(port, process.env.GATEWAY_HOST || '127.0.0.1', () => resolve());
  });
}

function printStatus(handles, context) {
  const rows = [['service', 'port', 'status', 'restarts']];
  for (const service of services) {
    const handle = handles.find((h) => h.service === service);
    const status = handle
      ? handle.status === 'ready'
        ? color.green('ready')
        : color.red(handle.status)
      : color.dim('not in this checkout');
    rows.push([service.name, service.port, status, handle ? String(handle.restarts) : '']);
  }
  rows.push(['gateway', GATEWAY_PORT, color.green('ready'), '']);
  const infraRow = (name, endpoint, port) => [
    name,
    portOf(endpoint.url, port),
    endpoint.private ? `private (${endpoint.started ? 'started' : 'reused'})` : 'shared',
    '',
  ];
  rows.push(infraRow('postgres', context.infra.pg, 5432));
  rows.push(infraRow('nats', context.infra.nats, 4222));
  rows.push(infraRow('redis', context.infra.redis, 6379));
  console.log('');
  printTable(rows);
  console.log('');
}

async function commandStart({ demo }) {
  interruptExitCode = 0;
  let limits;
  try {
    limits = gatewayLimits(process.env);
  } catch (err) {
    throw new StackError(`gateway: ${err.message}`);
  }
  const context = await bootstrap();
  const { present } = context;
  if (present.length === 0) throw new StackError('no service workspace exists yet: nothing to start');

  for (const { name, port } of [...present, { name: 'gateway', port: GATEWAY_PORT }]) {
    if (await probeTcp('127.0.0.1', port)) {
      throw new StackError(`port ${port} (${name}) is already in use: is another stack running?`);
    }
  }

  log.step('Building: npm run build');
  const build = await run('npm', ['run', 'build'], { cwd: ROOT });
  if (build.code !== 0) throw new StackError(`the build failed (exit code ${build.code})`);

  const prefixer = createPrefixer([...present.map((s) => s.name), 'gateway']);
  log.step(`Starting ${present.map((s) => s.name).join(', ')}`);
  const handles = [];
  const showStatus = () => printStatus(handles, context);
  handles.push(...present.map((service) => spawnService(service, context, prefixer, showStatus)));
  cleanups.push(async () => {
    const running = handles.filter((h) => !h.exit);
    if (running.length > 0) log.step(`Stopping ${running.map((h) => h.service.name).join(', ')}`);
    await Promise.all(
      handles.map(async (h) => {
        const inTime = await h.stop({ timeoutMs: STOP_TIMEOUT_MS, group: true });
        if (!inTime) log.warn(`${h.service.name} did not stop within ${seconds(STOP_TIMEOUT_MS)}: killed`);
      }),
    );
  });
  await Promise.all(handles.map((h) => waitReady(h)));

  // Spans from the gateway too, exported when OTEL_EXPORTER_OTLP_ENDPOINT names a collector.
  const tracing = await startGatewayTracing({
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
  });
  const gateway = createGateway({
    routes: loadRoutes(),
    tracing,
    limits,
    log: (entry) => {
      if (entry.status >= 500) {
        console.log(
          `${prefixer.prefix('gateway')} ${entry.method} ${entry.path} → ${entry.service} ${entry.status}`,
        );
      }
    },
  });
  await listen(gateway, GATEWAY_PORT);
  cleanups.push(() => gateway.stop().then(() => tracing.shutdown()));

  printStatus(handles, context);
  const baseUrl = `http://localhost:${GATEWAY_PORT}`;
  if (demo) {
    try {
      const lines = await seedDemo({
        baseUrl: `http://127.0.0.1:${GATEWAY_PORT}`,
        present: new Set(present.map((s) => s.name)),
      });
      for (const line of lines) log.ok(line);
    } catch (err) {
      log.warn(`demo data: ${err.message}`);
    }
  }
  console.log(color.bold(`Glotixz is running at ${baseUrl}`) + color.dim('  (Ctrl-C to stop)'));
}

function scriptTestFiles() {
  const dir = join(ROOT, 'scripts', 'test');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.mjs'))
    .sort()
    .map((f) => join('scripts', 'test', f));
  if (files.length === 0) throw new StackError('no tests found in scripts/test/');
  return files;
}

/** Sums the counts every test runner wrote to `dir`. */
function testTotals(dir) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const counts = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    totals.passed += counts.passed;
    totals.failed += counts.failed;
    totals.skipped += counts.skipped;
  }
  return totals;
}

async function commandTest() {
  interruptExitCode = 130;
  const context = await bootstrap();
  const env = {
    ...process.env,
    TEST_PG_ADMIN_URL: context.infra.pg.url,
    TEST_NATS_URL: context.infra.nats.url,
    TEST_REDIS_URL: context.infra.redis.url,
    CHROMIUM_PATH: await ensureChromium(),
  };
  const binaries = await context.infraControl.ensureServerBinaries();
  env.TEST_NATS_SERVER_BIN = binaries.natsServer;
  env.TEST_REDIS_SERVER_BIN = binaries.redisServer;
  log.info(`TEST_PG_ADMIN_URL=${redactUrl(env.TEST_PG_ADMIN_URL)}`);
  log.info(`TEST_NATS_URL=${env.TEST_NATS_URL}  TEST_REDIS_URL=${redactUrl(env.TEST_REDIS_URL)}`);
  log.info(
    `TEST_NATS_SERVER_BIN=${env.TEST_NATS_SERVER_BIN}  TEST_REDIS_SERVER_BIN=${env.TEST_REDIS_SERVER_BIN}`,
  );

  const resultsDir = join(ROOT, '.data', 'test-results');
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  env.GLOTIXZ_TEST_RESULTS_DIR = resultsDir;

  // The build produces common's declarations, which lint's type-aware rules resolve against, and
  // the services' and client's builds, which the system and browser tests run.
  const steps = [
    { name: 'build', command: 'npm', args: ['run', 'build'] },
    { name: 'typecheck', command: 'npm', args: ['run', 'typecheck'] },
    { name: 'lint', command: 'npm', args: ['run', 'lint'] },
    { name: 'workspace tests', command: 'npm', args: ['run', 'test:workspaces'] },
    {
      name: 'script tests',
      command: process.execPath,
      args: [
        '--test',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=./scripts/lib/node-test-summary-reporter.mjs',
        `--test-reporter-destination=${join(resultsDir, 'scripts.json')}`,
        ...scriptTestFiles(),
      ],
    },
  ];
  const results = [];
  for (const step of steps) {
    console.log('');
    log.step(
      `${step.name}: ${step.command === process.execPath ? 'node' : step.command} ${step.args.join(' ')}`,
    );
    const started = Date.now();
    const { code } = await run(step.command, step.args, { cwd: ROOT, env });
    if (interruptedAt) return 130;
    results.push({ ...step, code, ms: Date.now() - started });
    if (code !== 0) break;
  }

  const failed = results.filter((r) => r.code !== 0).length;
  const passed = results.length - failed;
  const skipped = steps.length - results.length;
  console.log('');
  printTable([
    ['step', 'result', 'time'],
    ...steps.map((step) => {
      const result = results.find((r) => r.name === step.name);
      if (!result) return [step.name, color.dim('skipped'), ''];
      return [
        step.name,
        result.code === 0 ? color.green('passed') : color.red(`failed (exit ${result.code})`),
        seconds(result.ms),
      ];
    }),
  ]);
  console.log(`steps: ${passed} of ${steps.length} succeeded${skipped ? `, ${skipped} not run` : ''}`);
  const totals = testTotals(resultsDir);
  console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  return failed === 0 && totals.failed === 0 ? 0 : 1;
}

async function commandBootstrap({ keep }) {
  const context = await bootstrap();
  console.log('');
  console.log(`PG_ADMIN_URL=${context.infra.pg.url}`);
  console.log(`NATS_URL=${context.infra.nats.url}`);
  console.log(`REDIS_URL=${context.infra.redis.url}`);
  if (keep) {
    context.infraControl.keepRunning();
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
  switch (command) {
    case 'start':
      await commandStart({ demo: flags.includes('--demo') });
      return null;
    case 'test':
      return commandTest();
    case 'bootstrap':
      await commandBootstrap({ keep: flags.includes('--keep') });
      return 0;
    case 'stop':
      await stopLeftovers(ROOT);
      return 0;
  }
  return 2;
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
