/**
 * The launch spec and what is derived from it: agreement with infra/routes.json, the environment
 * each process gets, database URLs, and which workspaces count as present.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRoutes } from '../gateway.mjs';
import { fileURLToPath } from 'node:url';
import { databaseUrl } from '../lib/servers.mjs';
import {
  launchCommand,
  launchEnv,
  presentProcesses,
  processEnv,
  SERVICE_NODE_OPTIONS,
  processes as services,
  services as serviceEntries,
} from '../services.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const byName = (name) => services.find((s) => s.name === name);
const pgUrl = 'postgres://postgres:pw@127.0.0.1:54329/postgres';

/** The wiring `npm start` chooses: every process on its spec port, each database on the chosen server. */
const context = {
  ports: Object.fromEntries(services.map((s) => [s.name, s.port])),
  databases: Object.fromEntries(
    services.filter((s) => s.database).map((s) => [s.name, databaseUrl(pgUrl, s.database)]),
  ),
  natsUrl: 'nats://127.0.0.1:42229',
  redisUrl: 'redis://127.0.0.1:63799',
  keys: {
    jwtPrivateKey: 'PRIVATE PEM',
    jwtPublicKey: 'PUBLIC PEM',
    eticketSigningKey: 'ETICKET PRIVATE PEM',
    eticketKeyId: 'eticket-kid',
    eticketPublicKeys: '{"keys":[]}',
    cookieKeys: ['k1'.repeat(20), 'k2'.repeat(20)],
    stripeSecretKey: 'sk_test_glotixz_sandbox',
    stripeWebhookSecret: 'whsec_abc',
    stripeConnectWebhookSecret: 'whsec_connect',
  },
};
const serviceEnv = launchEnv;
const serviceProcessEnv = processEnv;

test('names, ports and databases are unique', () => {
  for (const field of ['name', 'port']) {
    const values = services.map((s) => s[field]);
    assert.equal(new Set(values).size, values.length, field);
  }
  // A tool started with its own command (MailDev) may live in the workspace that installs it.
  const fromBuilds = services.filter((s) => !s.command).map((s) => s.workspace ?? s.name);
  assert.equal(new Set(fromBuilds).size, fromBuilds.length, 'workspace');
  const dbs = services.filter((s) => s.database).map((s) => s.database);
  assert.equal(new Set(dbs).size, dbs.length);
  for (const db of dbs) assert.match(db, /^glotixz_[a-z]+$/);
});

test('MailDev catches the mail of notifications, on the ports MAILDEV_SMTP_PORT and MAILDEV_WEB_PORT choose', () => {
  const maildev = byName('maildev');
  assert.equal(maildev.port, Number(process.env.MAILDEV_WEB_PORT || 1080));
  const env = serviceEnv(maildev, context);
  assert.equal(env.MAILDEV_WEB_PORT, String(maildev.port));
  assert.equal(env.MAILDEV_SMTP_PORT, String(maildev.smtpPort));
  assert.equal(env.MAILDEV_IP, '127.0.0.1');
  assert.match(launchCommand(maildev, ROOT)[1], /maildev[\\/]bin[\\/]maildev$/);
  const notifications = serviceEnv(byName('notifications'), context);
  assert.equal(notifications.SMTP_URL, `smtp://127.0.0.1:${maildev.smtpPort}`);
  assert.equal(notifications.PUBLIC_URL, `http://localhost:${context.ports.gateway}`);
  assert.equal(notifications.DATABASE_URL, databaseUrl(pgUrl, 'glotixz_notifications'));
});

test('infra/routes.json routes to the services and ports of the service list', () => {
  const table = loadRoutes();
  for (const target of [...table.routes, table.default]) {
    const service = byName(target.service);
    assert.ok(service, `${target.service} is not in the launch spec (scripts/services.mjs)`);
    assert.equal(target.port, service.port, target.service);
  }
  assert.equal(table.default.service, 'client');
});

test('only auth receives the JWT private key; every service gets the public key and cookie keys', () => {
  for (const service of services) {
    const env = serviceEnv(service, context);
    assert.equal(env.JWT_PRIVATE_KEY !== undefined, service.name === 'auth', service.name);
    assert.equal(env.JWT_PUBLIC_KEY, 'PUBLIC PEM');
    assert.equal(env.COOKIE_KEYS, context.keys.cookieKeys.join(','));
    assert.equal(env.PORT, String(service.port));
    // The client serves its production build (`next start`); the services run in development.
    assert.equal(env.NODE_ENV, service.name === 'client' ? 'production' : 'development', service.name);
    assert.equal(env.NATS_URL, 'nats://127.0.0.1:42229');
    assert.equal(env.REDIS_URL, 'redis://127.0.0.1:63799');
  }
});

test('only orders receives the e-ticket signing key; tickets gets its public JWKS to verify', () => {
  for (const service of services) {
    const env = serviceEnv(service, context);
    assert.equal(env.ETICKET_SIGNING_KEY !== undefined, service.name === 'orders', service.name);
    assert.equal(env.ETICKET_KEY_ID !== undefined, service.name === 'orders', service.name);
    assert.equal(env.ETICKET_PUBLIC_KEYS !== undefined, service.name === 'tickets', service.name);
  }
  assert.equal(serviceEnv(byName('orders'), context).ETICKET_SIGNING_KEY, 'ETICKET PRIVATE PEM');
  assert.equal(serviceEnv(byName('orders'), context).ETICKET_KEY_ID, 'eticket-kid');
  assert.equal(serviceEnv(byName('tickets'), context).ETICKET_PUBLIC_KEYS, '{"keys":[]}');
});

test('a service with a database gets DATABASE_URL on its own database of the chosen server', () => {
  assert.equal(
    serviceEnv(byName('auth'), context).DATABASE_URL,
    'postgres://postgres:pw@127.0.0.1:54329/glotixz_auth',
  );
  assert.equal(serviceEnv(byName('expiration'), context).DATABASE_URL, undefined);
  assert.equal(serviceEnv(byName('payments'), context).STRIPE_WEBHOOK_SECRET, 'whsec_abc');
});

test('databaseUrl keeps credentials, host and options', () => {
  assert.equal(
    databaseUrl('postgres://u:p@db.example:5433/postgres?sslmode=require', 'glotixz_orders'),
    'postgres://u:p@db.example:5433/glotixz_orders?sslmode=require',
  );
});

test('a service is present only when its workspace has a package.json', async () => {
  const root = await mkdtemp(join(tmpdir(), 'glotixz-present-'));
  try {
    await mkdir(join(root, 'auth'));
    await writeFile(join(root, 'auth', 'package.json'), '{"name":"@glotixz/auth"}');
    await mkdir(join(root, 'tickets'));
    assert.deepEqual(
      presentProcesses(root).map((s) => s.name),
      ['auth'],
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a service starts from its built main unless it names a command', () => {
  assert.deepEqual(launchCommand(byName('auth'), ROOT), [
    process.execPath,
    join(ROOT, 'auth', 'dist', 'main.js'),
  ]);
  assert.match(launchCommand(byName('client'), ROOT)[1], /next/);
});

test('without real Stripe keys payments talks to the sandbox, which signs webhooks with the same secrets', () => {
  const payments = serviceEnv(byName('payments'), context);
  const sandbox = serviceEnv(byName('stripe-sandbox'), context);
  assert.equal(payments.STRIPE_API_BASE, `http://127.0.0.1:${byName('stripe-sandbox').port}`);
  assert.match(payments.STRIPE_SECRET_KEY, /^sk_test_/);
  assert.equal(sandbox.STRIPE_WEBHOOK_SECRET, payments.STRIPE_WEBHOOK_SECRET);
  assert.equal(payments.STRIPE_CONNECT_WEBHOOK_SECRET, 'whsec_connect');
  assert.equal(sandbox.STRIPE_CONNECT_WEBHOOK_SECRET, payments.STRIPE_CONNECT_WEBHOOK_SECRET);
  assert.equal(
    sandbox.STRIPE_WEBHOOK_URL,
    `http://127.0.0.1:${byName('payments').port}/api/payments/webhook`,
  );
});

test('with real Stripe keys in the environment the sandbox is not started', () => {
  const sandbox = byName('stripe-sandbox');
  assert.equal(sandbox.skip({ STRIPE_SECRET_KEY: 'sk_live_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' }), true);
  assert.equal(sandbox.skip({}), false);
});

test('everything the stack starts listens on loopback: services, the sandbox and the client', () => {
  for (const service of services) {
    assert.equal(serviceProcessEnv(service, context, {}).HOST, '127.0.0.1', service.name);
  }
  assert.equal(serviceEnv(byName('stripe-sandbox'), context).STRIPE_SANDBOX_HOST, '127.0.0.1');
  assert.deepEqual(launchCommand(byName('client'), ROOT).slice(-2), ['--hostname', '127.0.0.1']);
  assert.equal(serviceEnv(byName('gateway'), context).GATEWAY_HOST, '127.0.0.1');
});

test("every variable of the runner's environment reaches a service, except the runner's own", () => {
  const parent = {
    PATH: '/usr/bin',
    EXPIRATION_WINDOW_SECONDS: '20',
    SOME_FUTURE_LIMIT: '7',
    PORT: '1',
    GATEWAY_PORT: '9090',
    STACK_READY_TIMEOUT_MS: '5',
  };
  const env = serviceProcessEnv(byName('orders'), context, parent);
  assert.equal(env.EXPIRATION_WINDOW_SECONDS, '20');
  assert.equal(env.SOME_FUTURE_LIMIT, '7');
  assert.equal(env.PATH, '/usr/bin');
  // The wiring is the runner's: each service on its own port and database.
  assert.equal(env.PORT, String(byName('orders').port));
  assert.equal(env.DATABASE_URL, 'postgres://postgres:pw@127.0.0.1:54329/glotixz_orders');
  assert.equal(env.GATEWAY_PORT, undefined);
  assert.equal(env.STACK_READY_TIMEOUT_MS, undefined);
  // The gateway's limits are the gateway's: they reach it, beside the ports it routes to.
  const gateway = serviceProcessEnv(byName('gateway'), context, parent);
  assert.equal(gateway.GATEWAY_PORT, '8080');
  assert.equal(JSON.parse(gateway.GATEWAY_UPSTREAMS).orders, byName('orders').port);
  assert.equal(
    serviceProcessEnv(byName('gateway'), context, { GATEWAY_REQUEST_TIMEOUT_MS: '9' })
      .GATEWAY_REQUEST_TIMEOUT_MS,
    '9',
  );
  // Opening the services to the network is a choice made in the environment.
  assert.equal(serviceProcessEnv(byName('orders'), context, { HOST: '0.0.0.0' }).HOST, '0.0.0.0');
});

test('every service runs with the launch spec’s V8 options, the runner’s own added after them', () => {
  for (const service of services) {
    const expected = serviceEntries.includes(service) ? SERVICE_NODE_OPTIONS : undefined;
    assert.equal(serviceEnv(service, context).NODE_OPTIONS, expected, service.name);
  }
  assert.match(SERVICE_NODE_OPTIONS, /--max-semi-space-size=\d+/);
  assert.equal(serviceEnv(byName('gateway'), context).NODE_OPTIONS, undefined);
  const parent = { NODE_OPTIONS: '--max-semi-space-size=8 --enable-source-maps' };
  assert.equal(
    serviceProcessEnv(byName('orders'), context, parent).NODE_OPTIONS,
    `${SERVICE_NODE_OPTIONS} --max-semi-space-size=8 --enable-source-maps`,
  );
  assert.equal(serviceProcessEnv(byName('gateway'), context, parent).NODE_OPTIONS, parent.NODE_OPTIONS);
});

test('each service’s image starts node with the same V8 options', async () => {
  for (const service of serviceEntries) {
    const dockerfile = await readFile(join(ROOT, service.name, 'Dockerfile'), 'utf8');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]');
    assert.deepEqual(
      cmd,
      ['node', ...SERVICE_NODE_OPTIONS.split(' '), `${service.name}/dist/main.js`],
      service.name,
    );
  }
});

test('a service loads no tracing SDK, email or PDF renderer until it needs one', () => {
  // Built by `npm run build`: what requiring a service's declaration and starting tracing without
  // an exporter loads, as its process does before it listens.
  const heavy = [
    '@opentelemetry/sdk-trace-node',
    '@opentelemetry/exporter-trace-otlp-http',
    'mjml',
    'pdfkit',
  ];
  for (const service of serviceEntries) {
    const script = `
      require(${JSON.stringify(join(ROOT, service.name, 'dist', 'service.js'))});
      const { startTracing } = require('@glotixz/common/tracing');
      const { pino } = require('pino');
      startTracing({ service: 'probe', logger: pino({ level: 'silent' }) });
      const heavy = ${JSON.stringify(heavy)};
      const loaded = heavy.filter((name) => Object.keys(require.cache).some((file) => file.includes('/node_modules/' + name + '/')));
      process.stdout.write(JSON.stringify(loaded));`;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { cwd: join(ROOT, service.name) }).toString(),
    );
    assert.deepEqual(loaded, [], service.name);
  }
});
