import type { Request, Response, Router } from 'express';
import type { Logger } from 'pino';
import { fingerprintOf, type IdempotencyClaim } from '../idempotency/idempotency';
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import type { FormBody } from './params';
import type { RequestContext } from './request-context';
import { StripeApiError } from './stripe-error';

/** What a route handler gets: path parameters, the parsed form body or query, the call's context. */
export interface ApiRequest {
  params: Record<string, string>;
  body: FormBody;
  query: FormBody;
  ctx: RequestContext;
}

/** One endpoint of the Stripe API: its handler answers the object (200) or throws a {@link StripeApiError}. */
export interface ApiRoute {
  method: 'get' | 'post';
  path: string;
  handler: (request: ApiRequest) => unknown;
}

/** Shorthand for a route table entry. */
export function route(method: ApiRoute['method'], path: string, handler: ApiRoute['handler']): ApiRoute {
  return { method, path, handler };
}

/** The request's path without its query string: what an idempotency key is bound to. */
export function endpointPath(req: Request): string {
  return req.originalUrl.split('?', 1)[0] ?? req.originalUrl;
}

function answer(res: Response, status: number, json: string): void {
  res.status(status).type('application/json').send(json);
}

/**
 * Mounts the routes, each wrapped so that it answers like Stripe: the JSON object or the
 * `{ error }` body, the response saved against the request's idempotency key (or a saved one
 * replayed), and the webhooks of the events it created sent once the response is out.
 */
export function mountApiRoutes(
  router: Router,
  routes: readonly ApiRoute[],
  deps: { dispatcher: WebhookDispatcher; logger: Logger },
): void {
  for (const { method, path, handler } of routes) {
    router[method](path, (req: Request, res: Response) => {
      const claim = res.locals.idempotency as IdempotencyClaim | undefined;
      const requestId = res.locals.requestId as string;
      const body = (req.body ?? {}) as FormBody;
      const ctx: RequestContext = { requestId, idempotencyKey: claim?.key ?? null, events: [] };
      res.once('close', () => deps.dispatcher.enqueue(ctx.events));

      let status = 200;
      let json: string;
      try {
        if (claim?.kind === 'replay') {
          const saved = claim.check(req.method, endpointPath(req), fingerprintOf(body));
          res.set('Idempotent-Replayed', 'true').set('Original-Request', saved.requestId);
          answer(res, saved.status, saved.json);
          return;
        }
        claim?.complete(fingerprintOf(body));
        json = JSON.stringify(
          handler({ params: req.params as Record<string, string>, body, query: req.query, ctx }),
        );
        claim?.save({ status, json, requestId });
      } catch (error) {
        let failure: StripeApiError;
        if (error instanceof StripeApiError) {
          failure = error;
        } else {
          deps.logger.error({ err: error, requestId }, 'unexpected error');
          // Stripe saves a 500 against the key too: a retry gets the same answer.
          failure = new StripeApiError(500, { type: 'api_error', message: 'An unknown error occurred' });
        }
        status = failure.status;
        json = JSON.stringify(failure);
        if (failure.saved && claim?.kind === 'owner') claim.save({ status, json, requestId });
      }
      answer(res, status, json);
    });
  }
}
