import { randomUUID } from 'node:crypto';
import cookieSession from 'cookie-session';
import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Registry } from 'prom-client';
import { currentUser } from './current-user';
import { errorHandler, notFoundHandler } from './error-handler';
import type { JwtVerifyOptions } from './jwt';
import type { SessionRevocationCheck } from './session-revocations';
import { httpTracing } from './http-tracing';
import { createHttpMetrics } from './metrics';
import { createOpenApiRegistry, generateOpenApi, mountDocs } from './openapi';
import { mountRoutes, type AnyRoute } from './route';
import { securityHeaders } from './security-headers';

/** A named readiness check: resolves when the dependency is reachable. */
export type ReadinessCheck = () => Promise<unknown>;

/** Session cookie settings shared by every service so they all read the same cookie. */
export interface SessionOptions {
  keys: string[];
  /** `Secure` flag and `__Host-` prefix; on everywhere but local development and tests. */
  secure: boolean;
  maxAgeMs: number;
}

/** The cookie name: `__Host-` prefixed when secure, so it is host-only, path `/` and Secure. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-glotixz' : 'glotixz';
}

/** Everything {@link createServiceApp} needs. */
export interface ServiceAppOptions {
  service: string;
  logger: Logger;
  /** Verifies tokens for `req.currentUser`; omit for a service without user-facing routes. */
  auth?: JwtVerifyOptions;
  /**
   * Tells revoked sessions from live ones: their tokens are refused like invalid ones. Auth checks
   * its database; the other services pass the `RevokedSessions` their messaging keeps.
   */
  revocations?: SessionRevocationCheck;
  /** The session cookie; omit together with `auth`. */
  session?: SessionOptions;
  routes: readonly AnyRoute[];
  /** Where the OpenAPI document and Swagger UI are served, e.g. `/api/users/docs`. */
  docsPath: string;
  docsTitle: string;
  readiness: Record<string, ReadinessCheck>;
  /** Largest accepted JSON body. Default `100kb`. */
  bodyLimit?: string;
  /** Express `trust proxy` setting; default `loopback` (the mesh sidecar or local gateway). */
  trustProxy?: string | boolean;
  /** Routes mounted before the JSON parser (e.g. a webhook that needs the raw body). */
  rawRoutes?: (router: Router) => void;
  /**
   * The registry `/metrics` serves, when the service registered metrics in it already (e.g. the
   * bus metrics of `startMessaging`); a new one by default. The HTTP and process metrics join it.
   */
  registry?: Registry;
}

/** The app and the parts tests and `main.ts` reach into. */
export interface ServiceApp {
  app: Express;
  metrics: Registry;
  openapi: object;
}

const READINESS_TIMEOUT_MS = 2000;
const quietPaths = new Set(['/healthz', '/readyz', '/metrics']);

async function runCheck(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), READINESS_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The service defaults every Glotixz service shares: a trace span per request (`traceresponse`
 * header), security headers, request ids, JSON logs with trace ids, body limits, session cookie, current user, `/healthz`, `/readyz`, `/metrics`, OpenAPI docs,
 * the routes, and the 404 and error handlers. Has no side effects beyond building the app.
 */
export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? 'loopback');

  const metrics = createHttpMetrics(options.service, options.registry);

  // First, so every later middleware (and its log lines) runs inside the request's span.
  app.use(httpTracing({ skip: (path) => quietPaths.has(path) }));
  // Over plain HTTP (local development) HSTS is meaningless and upgrading requests breaks the docs UI.
  const secure = options.session?.secure ?? true;
  app.use(securityHeaders({ docsPath: options.docsPath, secure }));
  app.use(
    pinoHttp({
      logger: options.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => quietPaths.has(req.url ?? '') },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );
  app.use(metrics.middleware);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const entries = await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    const ready = entries.every(([, ok]) => ok);
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ok' : 'unavailable',
      checks: Object.fromEntries(entries.map(([name, ok]) => [name, ok ? 'ok' : 'down'])),
    });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use((_req, res, next) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });

  if (options.rawRoutes) {
    const raw = express.Router();
    options.rawRoutes(raw);
    app.use(raw);
  }

  app.use(express.json({ limit: options.bodyLimit ?? '100kb', strict: true }));
  const { session, auth } = options;
  if (session) {
    app.use(
      cookieSession({
        name: sessionCookieName(session.secure),
        keys: session.keys,
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        secure: session.secure,
        path: '/',
        maxAge: session.maxAgeMs,
      }),
    );
  }
  if (auth) app.use(currentUser(auth, options.revocations));

  const registry = createOpenApiRegistry(sessionCookieName(secure), {
    securitySchemes: options.routes.some((route) => route.auth === 'required'),
  });
  const router = express.Router();
  mountRoutes(router, registry, options.routes);
  const openapi = generateOpenApi(registry, { title: options.docsTitle, version: '1.0.0' });
  mountDocs(app, options.docsPath, openapi);
  app.use(router);

  app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return { app, metrics: metrics.registry, openapi };
}
