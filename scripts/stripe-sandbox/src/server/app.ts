import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { controlRouter, type WebhookEndpoint } from '../control/control.routes';
import type { IdempotencyStore } from '../idempotency/idempotency';
import { API_VERSION, type EventLog } from '../webhooks/event-log';
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import { endpointPath, mountApiRoutes, type ApiRoute } from './api-route';
import { authenticate } from './auth';
import { newId } from './ids';
import { StripeApiError } from './stripe-error';

/** Everything the HTTP layer needs; the app itself holds no state. */
export interface SandboxAppDeps {
  /** The only accepted secret key; any `sk_test_...` key when undefined. */
  secretKey: string | undefined;
  routes: readonly ApiRoute[];
  idempotency: IdempotencyStore;
  events: EventLog;
  dispatcher: WebhookDispatcher;
  endpoint: WebhookEndpoint;
  logger: Logger;
  /** Pages outside the API, such as the hosted onboarding page of account links. */
  pages?: readonly Router[];
}

/**
 * The sandbox's Express app: Stripe's API under `/v1` (form bodies, Bearer or Basic auth,
 * idempotency keys, Stripe's error shape), the control API under `/_sandbox`, the hosted pages, `/healthz` and `/readyz`.
 */
export function createSandboxApp(deps: SandboxAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // GET parameters are nested like form bodies (`expand[0]=latest_charge`).
  app.set('query parser', 'extended');
  app.use(requestIds(deps.logger));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Nothing to depend on: ready as soon as it listens (served for uniformity with the services).
  app.get('/readyz', (_req, res) => {
    res.json({ status: 'ready' });
  });
  app.use('/_sandbox', controlRouter(deps));
  for (const pages of deps.pages ?? []) app.use(pages);

  const api = express.Router();
  mountApiRoutes(api, deps.routes, deps);
  app.use(
    '/v1',
    stripeVersion,
    authenticate(deps.secretKey),
    claimIdempotencyKey(deps.idempotency),
    express.urlencoded({ extended: true, limit: '1mb' }),
    api,
  );
  app.use(unrecognizedUrl);
  app.use(errorHandler(deps.logger));
  return app;
}

function requestIds(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = newId('req');
    res.locals.requestId = requestId;
    res.set('Request-Id', requestId);
    res.once('finish', () => {
      logger.debug(
        { requestId, method: req.method, path: endpointPath(req), status: res.statusCode },
        'request',
      );
    });
    next();
  };
}

const stripeVersion: RequestHandler = (req, res, next) => {
  res.set('Stripe-Version', req.get('stripe-version') ?? API_VERSION);
  next();
};

/** Claims the POST's idempotency key as soon as its headers are in (see {@link IdempotencyStore.claim}). */
function claimIdempotencyKey(store: IdempotencyStore): RequestHandler {
  return (req, res, next) => {
    const key = req.get('idempotency-key');
    if (req.method !== 'POST' || !key) {
      next();
      return;
    }
    res.set('Idempotency-Key', key);
    const { claim, release } = store.claim(
      res.locals.secretKey as string,
      key,
      req.method,
      endpointPath(req),
    );
    res.locals.idempotency = claim;
    res.once('close', release);
    next();
  };
}

const unrecognizedUrl: RequestHandler = (req) => {
  throw new StripeApiError(404, {
    type: 'invalid_request_error',
    message:
      `Unrecognized request URL (${req.method}: ${endpointPath(req)}). ` +
      'Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
  });
};

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof StripeApiError) {
      res.status(error.status).json(error);
      return;
    }
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = error instanceof Error ? error.message : 'Invalid request';
      res
        .status(status)
        .json({ error: { type: 'invalid_request_error', message: `Invalid request: ${message}` } });
      return;
    }
    logger.error(
      { err: error, requestId: res.locals.requestId as unknown, path: req.path },
      'unexpected error',
    );
    res.status(500).json({ error: { type: 'api_error', message: 'An unknown error occurred' } });
  };
}
