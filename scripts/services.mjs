/**
 * The one list of what the local stack runs. The runner, the database bootstrap and the gateway
 * checks all read it; a service whose workspace has no package.json yet is listed but skipped.
 *
 * Fields of a service:
 *   name       how it is shown in logs and the status table
 *   workspace  its npm workspace folder
 *   port       its HTTP port (infra/routes.json must agree; a test checks)
 *   db         its Postgres database, created by the bootstrap (omit for none)
 *   needs      the infrastructure its /readyz depends on: 'pg', 'nats', 'redis'
 *   signsTokens  receives the JWT private key (only auth)
 *   command    how to start it, relative to the repository root (default: node <workspace>/dist/main.js)
 *   readyPath  polled until it answers 200 (default /readyz)
 *   env        extra environment: (context) => ({ NAME: value })
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseUrl } from './lib/databases.mjs';

export const JWT_ISSUER = 'glotixz-auth';
export const JWT_AUDIENCE = 'glotixz';
export const STRIPE_SANDBOX_PORT = 12111;
const PAYMENTS_PORT = 3004;
const SANDBOX_SECRET_KEY = 'sk_test_glotixz_sandbox';
/**
 * Where everything the stack starts listens: loopback, so nothing reaches a service except
 * through the gateway (a client on the network could otherwise set X-Forwarded-For itself).
 */
const LOCAL_HOST = '127.0.0.1';

/**
 * Real Stripe is used when the environment brings its own keys (STRIPE_SECRET_KEY and
 * STRIPE_WEBHOOK_SECRET); otherwise the local sandbox stands in for it.
 */
export function usesRealStripe(env) {
  return Boolean(env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET);
}

export const services = [
  {
    name: 'auth',
    workspace: 'auth',
    port: 3001,
    db: 'glotixz_auth',
    needs: ['pg', 'nats'],
    signsTokens: true,
  },
  { name: 'tickets', workspace: 'tickets', port: 3002, db: 'glotixz_tickets', needs: ['pg', 'nats'] },
  { name: 'orders', workspace: 'orders', port: 3003, db: 'glotixz_orders', needs: ['pg', 'nats'] },
  {
    name: 'stripe-sandbox',
    workspace: 'scripts/stripe-sandbox',
    port: STRIPE_SANDBOX_PORT,
    needs: [],
    readyPath: '/healthz',
    // Stands in for Stripe unless real keys are configured; posts signed webhooks to payments.
    skip: (env) => usesRealStripe(env),
    env: ({ keys }) => ({
      STRIPE_SANDBOX_PORT: String(STRIPE_SANDBOX_PORT),
      STRIPE_SANDBOX_HOST: LOCAL_HOST,
      STRIPE_WEBHOOK_URL: `http://127.0.0.1:${PAYMENTS_PORT}/api/payments/webhook`,
      STRIPE_WEBHOOK_SECRET: keys.stripeWebhookSecret,
    }),
  },
  {
    name: 'payments',
    workspace: 'payments',
    port: PAYMENTS_PORT,
    db: 'glotixz_payments',
    needs: ['pg', 'nats'],
    env: ({ keys }) =>
      usesRealStripe(process.env)
        ? {}
        : {
            STRIPE_SECRET_KEY: SANDBOX_SECRET_KEY,
            STRIPE_WEBHOOK_SECRET: keys.stripeWebhookSecret,
            STRIPE_API_BASE: `http://127.0.0.1:${STRIPE_SANDBOX_PORT}`,
          },
  },
  { name: 'expiration', workspace: 'expiration', port: 3005, needs: ['nats', 'redis'] },
  {
    name: 'client',
    workspace: 'client',
    port: 3000,
    needs: [],
    command: ['npm', 'run', 'start', '--workspace', 'client', '--', '--hostname', LOCAL_HOST],
    readyPath: '/healthz',
    // `next start` serves the production build; server rendering reaches the APIs via the gateway.
    env: () => ({
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      API_URL: `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`,
    }),
  },
];

/** Reads a workspace's package.json, or null when the workspace does not exist yet. */
export function workspacePackage(root, service) {
  const file = join(root, service.workspace, 'package.json');
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The services whose workspace exists in this checkout (and that are not skipped), in list order. */
export function presentServices(root, list = services, env = process.env) {
  return list.filter((service) => workspacePackage(root, service) !== null && !service.skip?.(env));
}

/** The command line that starts a service: [executable, ...args]. */
export function serviceCommand(service) {
  return service.command ?? [process.execPath, join(service.workspace, 'dist', 'main.js')];
}

/**
 * The environment a service is started with (added to the runner's own).
 * @param {object} service an entry of `services`
 * @param {{ infra: { pg: { url: string }, nats: { url: string }, redis: { url: string } },
 *   keys: { jwtPrivateKey: string, jwtPublicKey: string, cookieKeys: string[] },
 *   logLevel?: string }} context
 */
export function serviceEnv(service, context) {
  const { infra, keys } = context;
  const env = {
    NODE_ENV: 'development',
    PORT: String(service.port),
    HOST: LOCAL_HOST,
    LOG_LEVEL: context.logLevel ?? 'info',
    NATS_URL: infra.nats.url,
    REDIS_URL: infra.redis.url,
    JWT_PUBLIC_KEY: keys.jwtPublicKey,
    JWT_ISSUER,
    JWT_AUDIENCE,
    COOKIE_KEYS: keys.cookieKeys.join(','),
  };
  if (service.db) env.DATABASE_URL = databaseUrl(infra.pg.url, service.db);
  if (service.signsTokens) env.JWT_PRIVATE_KEY = keys.jwtPrivateKey;
  return { ...env, ...(service.env?.(context) ?? {}) };
}

/** Variables of the runner itself, which no service reads. */
const RUNNER_ONLY = /^(STACK_|GATEWAY_)/;

/**
 * The whole environment a service process gets: everything in the runner's environment (so
 * `EXPIRATION_WINDOW_SECONDS=20 npm start` reaches orders, and any new setting reaches its
 * service) except the runner's own STACK_* and GATEWAY_* variables, overlaid with the wiring of
 * {@link serviceEnv}. A `HOST` set in the environment wins over loopback, to open the services
 * to the network on purpose.
 * @param {object} service an entry of `services`
 * @param {Parameters<typeof serviceEnv>[1]} context
 * @param {Record<string, string | undefined>} [parent] the runner's environment
 */
export function serviceProcessEnv(service, context, parent = process.env) {
  const inherited = Object.fromEntries(Object.entries(parent).filter(([name]) => !RUNNER_ONLY.test(name)));
  const env = { ...inherited, ...serviceEnv(service, context) };
  if (parent.HOST) env.HOST = parent.HOST;
  return env;
}
