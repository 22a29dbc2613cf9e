/**
 * The launch spec (scripts/README.md): how each process starts, for `npm start`, the system tests
 * and the bench. An entry: `name`; `workspace` (default its name); `port` under `npm start`;
 * `database`; `needs` (what its readiness needs); `signsTokens` (gets the JWT private key); `main`
 * (default dist/main.js) or `command: (root) => argv`; `ready` (default GET /readyz → 200);
 * `env: (wiring & { url(name) }) => variables`; `skip: (env) => true` to not run it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const LOCAL_HOST = '127.0.0.1';

const pgAndNats = ['pg', 'nats'];
const HEALTHZ = { path: '/healthz', status: 200 };
/** Links in mail and Stripe's onboarding point at the gateway, where people browse. */
const publicUrl = ({ gateway }) => (gateway ? { PUBLIC_URL: `http://localhost:${gateway}` } : {});
/** A file `bin` of a package installed in `workspace`. */
const resolveIn = (root, workspace, bin) => createRequire(join(root, workspace, 'package.json')).resolve(bin);

/**
 * V8 options of every service (the Dockerfiles' CMD says the same): an idle service's RSS is mostly
 * its young generation, and 2 MB semi-spaces keep it under 80 MB at no measurable throughput cost.
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=2';

export const services = /** @type {const} */ ([
  { name: 'auth', port: 3001, database: 'glotixz_auth', needs: pgAndNats, signsTokens: true },
  {
    name: 'tickets',
    port: 3002,
    database: 'glotixz_tickets',
    needs: pgAndNats,
    // Verifies e-tickets at the door with the public part of orders' signing key.
    env: ({ keys }) => (keys.eticketPublicKeys ? { ETICKET_PUBLIC_KEYS: keys.eticketPublicKeys } : {}),
  },
  {
    name: 'orders',
    port: 3003,
    database: 'glotixz_orders',
    needs: pgAndNats,
    // Signs the e-ticket of every paid order.
    env: ({ keys }) =>
      keys.eticketSigningKey
        ? { ETICKET_SIGNING_KEY: keys.eticketSigningKey, ETICKET_KEY_ID: keys.eticketKeyId }
        : {},
  },
  {
    name: 'payments',
    port: 3004,
    database: 'glotixz_payments',
    needs: pgAndNats,
    // With the sandbox running, payments talks to it; with real keys they come from the environment.
    env: ({ url, keys, ports }) => ({
      ...(url('stripe-sandbox') && {
        STRIPE_SECRET_KEY: keys.stripeSecretKey,
        STRIPE_WEBHOOK_SECRET: keys.stripeWebhookSecret,
        ...(keys.stripeConnectWebhookSecret && {
          STRIPE_CONNECT_WEBHOOK_SECRET: keys.stripeConnectWebhookSecret,
        }),
        STRIPE_API_BASE: url('stripe-sandbox'),
      }),
      ...publicUrl(ports),
    }),
  },
  { name: 'expiration', port: 3005, needs: ['nats', 'redis'] },
  {
    name: 'notifications',
    port: 3006,
    database: 'glotixz_notifications',
    needs: pgAndNats,
    // Mail goes to the local MailDev when it runs.
    env: ({ ports }) => ({
      ...(ports.maildev && { SMTP_URL: `smtp://${LOCAL_HOST}:${mailDev.smtpPort}` }),
      ...publicUrl(ports),
    }),
  },
]);

/** A local mail catcher (the `maildev` package, installed with notifications): its inbox and REST API on `port`. */
const mailDev = {
  name: 'maildev',
  workspace: 'notifications',
  port: Number(process.env.MAILDEV_WEB_PORT || 1080),
  smtpPort: Number(process.env.MAILDEV_SMTP_PORT || 1025),
  ready: HEALTHZ,
  command: (root) => [process.execPath, resolveIn(root, 'notifications', 'maildev/bin/maildev')],
  env: ({ ports }) => ({
    MAILDEV_SMTP_PORT: String(mailDev.smtpPort),
    MAILDEV_WEB_PORT: String(ports.maildev),
    MAILDEV_IP: LOCAL_HOST,
    MAILDEV_WEB_IP: LOCAL_HOST,
  }),
};

/** A local stand-in for Stripe's API that posts signed webhooks to payments. */
const stripeSandbox = {
  name: 'stripe-sandbox',
  workspace: 'scripts/stripe-sandbox',
  port: 12111,
  ready: HEALTHZ,
  // Real Stripe is used when the environment brings both keys.
  skip: (env) => Boolean(env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET),
  // Several replicas of payments are reached through the gateway, as Stripe reaches them.
  env: ({ ports, url, keys, replicas = {} }) => ({
    STRIPE_SANDBOX_PORT: String(ports['stripe-sandbox']),
    STRIPE_SANDBOX_HOST: LOCAL_HOST,
    STRIPE_WEBHOOK_URL: `${(replicas.payments?.length > 1 && url('gateway')) || url('payments')}/api/payments/webhook`,
    STRIPE_SECRET_KEY: keys.stripeSecretKey,
    STRIPE_WEBHOOK_SECRET: keys.stripeWebhookSecret,
    // The connected accounts' events are signed as for a Connect endpoint at the same URL.
    ...(keys.stripeConnectWebhookSecret && {
      STRIPE_CONNECT_WEBHOOK_SECRET: keys.stripeConnectWebhookSecret,
    }),
  }),
};

/** The web client's production build (`next start`); server rendering reaches the APIs via the gateway. */
const webClient = {
  name: 'client',
  port: 3000,
  ready: HEALTHZ,
  command: (root) => [
    process.execPath,
    resolveIn(root, 'client', 'next/dist/bin/next'),
    'start',
    '--hostname',
    LOCAL_HOST,
  ],
  env: ({ url }) => ({ NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', API_URL: url('gateway') }),
};

/** The gateway (scripts/gateway.mjs): routes like the Istio VirtualService, to the ports chosen. */
const gateway = {
  name: 'gateway',
  workspace: '.',
  port: 8080,
  main: 'scripts/gateway.mjs',
  // Any /api path no route claims answers 404 once the gateway listens.
  ready: { path: '/api/ready-probe', status: 404 },
  // A service with replicas is a list of ports, which the gateway balances across.
  env: ({ ports, replicas = {} }) => ({
    GATEWAY_PORT: String(ports.gateway),
    GATEWAY_HOST: LOCAL_HOST,
    GATEWAY_UPSTREAMS: JSON.stringify(
      Object.fromEntries(
        Object.entries(ports)
          .filter(([n]) => n !== 'gateway')
          .map(([n, port]) => [n, replicas[n]?.length > 1 ? replicas[n] : port]),
      ),
    ),
  }),
};

/** How far apart the ports of one service's replicas are under `npm start`: orders 3003, 3103, 3203. */
export const REPLICA_PORT_STEP = 100;

/**
 * Reads `--replicas` values into processes per service: `2` (every service), `orders=3,tickets=2`,
 * or both (`2,orders=3`: the named ones win). Throws naming a bad part.
 */
export function parseReplicas(values, names = services.map((s) => s.name)) {
  const counts = {};
  const count = (text, what) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 9)
      throw new Error(`--replicas: ${what} must be 1 to 9 (got "${text}")`);
    return n;
  };
  const parts = values.flatMap((v) => v.split(',')).filter(Boolean);
  for (const part of parts.filter((p) => !p.includes('='))) {
    for (const name of names) counts[name] = count(part, 'the count');
  }
  for (const part of parts.filter((p) => p.includes('='))) {
    const [name, n] = part.split('=');
    if (!names.includes(name))
      throw new Error(`--replicas: no service "${name}" (services: ${names.join(', ')})`);
    counts[name] = count(n, name);
  }
  return counts;
}

/** Every process `npm start` runs, in start order (MailDev before notifications, the gateway last, the client through it). */
export const processes = [mailDev, ...services, stripeSandbox, gateway, webClient];

/** The processes whose workspace exists under `root` and which `env` does not skip, in order. */
export function presentProcesses(root, env = process.env) {
  return processes.filter((p) => existsSync(join(workspaceDir(root, p), 'package.json')) && !p.skip?.(env));
}

export const workspaceDir = (root, proc) => join(root, proc.workspace ?? proc.name);

/** The command line that starts a process: [executable, ...args]. */
export function launchCommand(proc, root) {
  return (
    proc.command?.(root) ?? [process.execPath, join(workspaceDir(root, proc), proc.main ?? 'dist/main.js')]
  );
}

/** What a process answers once it is ready. */
export const readiness = (proc) => proc.ready ?? { path: '/readyz', status: 200 };

/**
 * The variables a process is started with, from the wiring: `ports` (of every running process; a
 * service's first replica), `replicas?` (every replica's port of a service that runs several),
 * `databases` (URL per service), `natsUrl`, `redisUrl`, `keys` (lib/keys.mjs), `nodeEnv?`, `logLevel?`.
 */
export function launchEnv(proc, wiring) {
  const url = (name) => (wiring.ports[name] ? `http://${LOCAL_HOST}:${wiring.ports[name]}` : undefined);
  return {
    NODE_ENV: wiring.nodeEnv ?? 'development',
    PORT: String(wiring.ports[proc.name]),
    HOST: LOCAL_HOST,
    LOG_LEVEL: wiring.logLevel ?? 'info',
    NATS_URL: wiring.natsUrl,
    REDIS_URL: wiring.redisUrl,
    JWT_PUBLIC_KEY: wiring.keys.jwtPublicKey,
    JWT_ISSUER: 'glotixz-auth',
    JWT_AUDIENCE: 'glotixz',
    COOKIE_KEYS: wiring.keys.cookieKeys.join(','),
    ...(services.includes(proc) ? { NODE_OPTIONS: SERVICE_NODE_OPTIONS } : {}),
    ...(proc.database ? { DATABASE_URL: wiring.databases[proc.name] } : {}),
    ...(proc.signsTokens ? { JWT_PRIVATE_KEY: wiring.keys.jwtPrivateKey } : {}),
    ...proc.env?.({ ...wiring, url }),
  };
}

/**
 * The whole environment of a process under `npm start`: the runner's, without its STACK_* (and but
 * for the gateway GATEWAY_*) variables, overlaid with {@link launchEnv}; a `HOST` or `GATEWAY_HOST`
 * of the runner's wins over loopback, to open a port to the network on purpose.
 */
export function processEnv(proc, wiring, parent = process.env) {
  const runnerOnly = proc.name === 'gateway' ? /^STACK_/ : /^(STACK_|GATEWAY_)/;
  const launched = launchEnv(proc, wiring);
  const env = {
    ...Object.fromEntries(Object.entries(parent).filter(([name]) => !runnerOnly.test(name))),
    ...launched,
  };
  for (const name of ['HOST', 'GATEWAY_HOST']) if (parent[name] && env[name]) env[name] = parent[name];
  // The runner's own Node options come after the launch spec's, so they win where they overlap.
  if (parent.NODE_OPTIONS && launched.NODE_OPTIONS)
    env.NODE_OPTIONS = `${launched.NODE_OPTIONS} ${parent.NODE_OPTIONS}`;
  return env;
}
