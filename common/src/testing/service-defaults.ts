import type { Express } from 'express';
import type { Pool } from 'pg';
import pino from 'pino';
import type { Logger } from 'pino';
import request from 'supertest';
import { createPool } from '../db';
import { createCookieKeys, createTestKeys, createTestUser } from './auth';
import type { TestKeys } from './auth';
import { invalidServiceEnv, invalidServiceEnvPaths, testServiceEnv } from './service-testbed';
import type { ServiceTestEnv } from './service-testbed';

/** What `/readyz` reports of one dependency. */
type CheckState = 'ok' | 'down';

const dependencyNames: Record<string, string> = { postgres: 'Postgres', nats: 'NATS', redis: 'Redis' };

/** `Postgres and NATS are`, `Redis is`: the dependencies of `checks`, for a test's name. */
function dependencies(checks: Record<string, CheckState>): string {
  const names = Object.keys(checks).map((key) => dependencyNames[key] ?? key);
  const last = names.pop() ?? 'nothing';
  return names.length === 0 ? `${last} is` : `${names.join(', ')} and ${last} are`;
}

/** Options of {@link describeServiceDefaults}. */
export interface ServiceDefaultsOptions {
  /** The app under test, started by the test file's `beforeAll`. */
  app(this: void): Express;
  /** What `/readyz` reports of each dependency when every one is reachable. */
  readyChecks: Record<string, 'ok'>;
  /** A request whose route pattern the latency histogram must then show; omitted where the service's own metrics test covers it. */
  metrics?: {
    path: string;
    /** The `route` label it is counted under. */
    route: string;
    authorization?(this: void): string;
    /** The service's own assertions on the `/metrics` text. */
    also?(this: void, text: string): void;
  };
  /** Where the OpenAPI document and Swagger UI are served and the paths the document must list. */
  docs: {
    path: string;
    paths: string[];
    /** The service's own assertions on the document. */
    also?(this: void, document: OpenApiJson): void;
  };
  /** A request under the service's prefix that no route answers (default method GET). */
  unknownRoute: { method?: 'get' | 'delete'; path: string };
}

/** An OpenAPI document as the tests read it: JSON, indexed freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test walks the document by hand
export type OpenApiJson = any;

/**
 * The service defaults every service's app must show: `/healthz` and `/readyz`, request latency on
 * `/metrics`, the OpenAPI document and Swagger UI, and JSON 404s. The test file starts the app;
 * call it inside (or beside) its other tests.
 */
export function describeServiceDefaults(options: ServiceDefaultsOptions): void {
  const { app, docs } = options;
  describe('service defaults', () => {
    it(`answers /healthz, and /readyz when ${dependencies(options.readyChecks)} reachable`, async () => {
      await request(app()).get('/healthz').expect(200, { status: 'ok' });
      await request(app()).get('/readyz').expect(200, { status: 'ok', checks: options.readyChecks });
    });

    const { metrics } = options;
    if (metrics) {
      it('exposes Prometheus metrics with request latency by route pattern', async () => {
        const probe = request(app()).get(metrics.path);
        if (metrics.authorization) void probe.set('authorization', metrics.authorization());
        await probe.expect(200);
        const res = await request(app()).get('/metrics').expect(200);
        expect(res.text).toContain('http_request_duration_seconds_bucket');
        expect(res.text).toContain(`route="${metrics.route}"`);
        metrics.also?.(res.text);
      });
    }

    it(`serves the OpenAPI document and Swagger UI at ${docs.path}`, async () => {
      const spec = await request(app()).get(`${docs.path}/openapi.json`).expect(200);
      const document = spec.body as { openapi?: string; paths?: object };
      expect(document.openapi).toBe('3.0.3');
      expect(Object.keys(document.paths ?? {})).toEqual(expect.arrayContaining(docs.paths));
      docs.also?.(document);
      const ui = await request(app()).get(`${docs.path}/`).expect(200);
      expect(ui.text).toContain('swagger-ui');
    });

    it('answers unknown routes with a JSON 404', async () => {
      const { method = 'get', path } = options.unknownRoute;
      const res = await request(app())[method](path).expect(404);
      expect((res.body as { code?: string }).code).toBe('NOT_FOUND');
    });
  });
}

/** What {@link ServerFaultsOptions.build} builds the unreachable app from. */
export interface UnreachableDeps {
  /** The variables every service reads, pointing at a Postgres and a NATS nobody answers at. */
  env: ServiceTestEnv;
  /** Whose public key `env` trusts; `authorization` is signed with it. */
  keys: TestKeys;
  /** A pool on the unreachable database, ended after the test. */
  pool: Pool;
  /** Collects what the app logs at `error`. */
  logger: Logger;
}

/** Options of {@link describeServerFaults}. */
export interface ServerFaultsOptions {
  /** Builds the app on the unreachable dependencies; NATS readiness should fail as it would. */
  build(this: void, deps: UnreachableDeps): Express;
  /** A POST that needs the database, e.g. a sign-up or a new order; `signedIn` sends a valid token. */
  send: { path: string; body: object; signedIn?: boolean };
  /** What `/readyz` then reports of each dependency. */
  downChecks: Record<string, 'down'>;
}

/**
 * A server fault is a 500 that names no internals while the log has the cause, and `/readyz`
 * answers 503 with the dependency that is down.
 */
export function describeServerFaults(options: ServerFaultsOptions): void {
  describe('server faults', () => {
    it(`answers 500 without internals, and 503 on /readyz, when ${dependencies(options.downChecks)} down`, async () => {
      const lines: string[] = [];
      const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
      const keys = createTestKeys();
      const databaseUrl = 'postgres://postgres@127.0.0.1:1/nowhere';
      const env = testServiceEnv({ databaseUrl, natsUrl: 'nats://127.0.0.1:1', keys });
      const pool = createPool(databaseUrl);
      const app = options.build({ env, keys, pool, logger });
      try {
        const { path, body, signedIn = false } = options.send;
        const post = request(app).post(path);
        if (signedIn) void post.set('authorization', createTestUser(keys).authorization);
        const res = await post.send(body).expect(500);
        expect(res.body).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
        expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|stack|127\.0\.0\.1/);
        expect(lines.join('\n')).toMatch(/ECONNREFUSED/);
        const ready = await request(app).get('/readyz').expect(503);
        expect((ready.body as { checks?: unknown }).checks).toEqual(options.downChecks);
      } finally {
        await pool.end();
      }
    });
  });
}

/** A zod schema, as {@link describeServiceConfig} and {@link configIssuePaths} use one. */
export interface EnvSchema {
  parse(this: void, env: unknown): unknown;
  safeParse(this: void, env: unknown): { error?: { issues: { path: PropertyKey[] }[] } | undefined };
}

/** The paths of every issue `schema` finds in `env`, e.g. `COOKIE_KEYS.0`; empty when it parses. */
export function configIssuePaths(schema: EnvSchema, env: Record<string, unknown>): string[] {
  return schema.safeParse(env).error?.issues.map((issue) => issue.path.map(String).join('.')) ?? [];
}

/** The defaults of the variables every service that verifies tokens reads (all but auth). */
export const tokenVerifierDefaults = {
  NODE_ENV: 'production',
  NATS_PREFIX: '',
  JWT_ISSUER: 'glotixz-auth',
  JWT_AUDIENCE: 'glotixz',
  TRUST_PROXY: 'loopback',
} as const;

/** Options of {@link describeServiceConfig}. */
export interface ServiceConfigOptions {
  /** The service's configuration schema. */
  schema: EnvSchema;
  /** The service's own required variables, with valid values. */
  required?: Record<string, string>;
  /** The service's own defaults (its port among them), checked beside {@link tokenVerifierDefaults}; omitted where the service's own test checks them. */
  defaults?: Record<string, unknown>;
  /** Bad values of the service's own variables, reported beside {@link invalidServiceEnv}'s, at `invalidPaths`. */
  invalid: Record<string, string>;
  invalidPaths: string[];
  /** The service's own configuration tests, given a valid environment. */
  also?(this: void, valid: () => Record<string, string>): void;
}

/**
 * The configuration tests of a service that verifies tokens: a minimal environment gets the
 * documented defaults, and a bad one has every problem listed at once.
 */
export function describeServiceConfig(options: ServiceConfigOptions): void {
  const valid = () => ({
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/service',
    NATS_URL: 'nats://127.0.0.1:4222',
    JWT_PUBLIC_KEY: createTestKeys().publicKey,
    COOKIE_KEYS: createCookieKeys().join(','),
    ...options.required,
  });
  describe('configuration', () => {
    const { defaults } = options;
    if (defaults) {
      it('applies the documented defaults', () => {
        expect(options.schema.parse(valid())).toMatchObject({ ...tokenVerifierDefaults, ...defaults });
      });
    }

    it('lists every problem of a bad environment at once', () => {
      expect(configIssuePaths(options.schema, { ...invalidServiceEnv, ...options.invalid })).toEqual(
        expect.arrayContaining([...invalidServiceEnvPaths, ...options.invalidPaths]),
      );
    });

    options.also?.(valid);
  });
}

/** Options of {@link describeService}: the shared defaults, and faults and configuration where a service has them. */
export interface ServiceSpecOptions extends ServiceDefaultsOptions {
  /** {@link describeServerFaults}, for a service with a database. */
  faults?: ServerFaultsOptions;
  /** {@link describeServiceConfig}. */
  config?: ServiceConfigOptions;
}

/**
 * The behaviour every service shares, tested for one service: the defaults (health, readiness,
 * metrics, docs, unknown routes), its answers when its servers fail, and its configuration. One
 * call in each service's `test/service.test.ts`; the service's own tests follow it.
 */
export function describeService({ faults, config, ...defaults }: ServiceSpecOptions): void {
  describeServiceDefaults(defaults);
  if (faults) describeServerFaults(faults);
  if (config) describeServiceConfig(config);
}
