import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { AppError, errorCodes, errorStatus, type ErrorCode } from '../errors';
import { requireAuth } from './current-user';
import type { CurrentUser } from './jwt';
import { validate } from './validate';

type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

/** A request whose body, query and params have been validated by the route's schemas. */
export type ValidRequest<B, Q, P> = Request<Parsed<P>, unknown, Parsed<B>, Parsed<Q>>;

/**
 * A validated request of a route with `auth: 'required'`: `requireAuth` answered 401 before the
 * handler unless a user signed in, so `currentUser` is always there.
 */
export type AuthedRequest<B, Q, P> = ValidRequest<B, Q, P> & { currentUser: CurrentUser };

/** Who may call a route; see {@link RouteSpec.auth}. */
export type RouteAuth = 'required' | 'optional';

/** The request a route's handler receives: signed in on an `auth: 'required'` route. */
export type RouteRequest<B, Q, P, A extends RouteAuth> = [A] extends ['required']
  ? AuthedRequest<B, Q, P>
  : ValidRequest<B, Q, P>;

/** One documented response of a route. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
}

/**
 * A route declared once: Express mounts it with validation and auth, and the OpenAPI document
 * describes it from the same schemas, so the docs cannot drift from the code.
 */
export interface RouteSpec<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  P extends z.ZodType | undefined,
  A extends RouteAuth = RouteAuth,
> {
  method: HttpMethod;
  /** Express-style path, e.g. `/api/tickets/:id`. */
  path: string;
  /**
   * The operation's name in the OpenAPI document (what generated clients call it), unique in the
   * service. Default: the method and the path, e.g. `getTicketsById` for `GET /api/tickets/:id`.
   */
  operationId?: string;
  summary: string;
  description?: string;
  tags?: string[];
  /**
   * `required` answers 401 without a valid token; `optional` only reads it, and the operation is
   * documented as public (`security: []`). Default `optional`. With `required` the handler's
   * `req.currentUser` is typed as set ({@link AuthedRequest}).
   */
  auth?: A;
  body?: B;
  query?: Q;
  params?: P;
  responses: Record<number, ResponseSpec>;
  /** Error codes this route may answer, documented under their statuses. */
  errors?: ErrorCode[];
  /** Extra middleware that runs after auth and before validation. */
  before?: RequestHandler[];
  /**
   * Extra middleware that runs after validation, just before the handler: e.g. a rate limiter
   * that must not count malformed requests.
   */
  afterValidation?: RequestHandler[];
  handler: (req: RouteRequest<B, Q, P, A>, res: Response) => unknown;
}

/**
 * Identity helper that infers a route's request types from its schemas, and from `auth` whether
 * the handler's request carries a signed-in user.
 */
export function defineRoute<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
  A extends RouteAuth = 'optional',
>(spec: RouteSpec<B, Q, P, A>): RouteSpec<B, Q, P, A> {
  return spec;
}

/**
 * Any route, whatever its schemas and auth. Its handler takes a request no caller could build
 * (`never`): only the mounting code calls it, after the middleware that makes its request type true.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = Omit<RouteSpec<any, any, any>, 'handler'> & {
  handler: (req: never, res: Response) => unknown;
};

const fieldIssueSchema = z
  .object({
    path: z.string().meta({ description: 'Where: `body.email`, `query.limit`, `params.id`…' }),
    message: z.string(),
  })
  .meta({ id: 'FieldIssue' });

/** The error body schema shared by every error response in the docs. */
export const errorBodySchema = z
  .object({
    code: z.enum(errorCodes as [ErrorCode, ...ErrorCode[]]).meta({ example: 'VALIDATION_FAILED' }),
    message: z.string(),
    details: z
      .union([z.array(fieldIssueSchema), z.looseObject({}).meta({ additionalProperties: true })])
      .optional()
      .meta({
        description:
          'VALIDATION_FAILED: one entry per problem; other codes: facts about the error, e.g. `{ "retryAfterSeconds": 30 }`',
      }),
  })
  .meta({ id: 'Error' });

const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = req.get('content-length') !== undefined && req.get('content-length') !== '0';
  if ((hasBody || req.get('transfer-encoding') !== undefined) && !req.is('application/json')) {
    next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json'));
    return;
  }
  next();
};

type RequestParts = NonNullable<RouteConfig['request']>;

function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** `GET /api/tickets/:id` → `getTicketsById`, `POST /api/orders/:id/cancel` → `postOrdersByIdCancel`. */
export function defaultOperationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((segment) => segment !== '' && segment !== 'api')
    .map((segment) => (segment.startsWith(':') ? `By-${segment.slice(1)}` : segment))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method + words.map(capitalized).join('');
}

/** The security requirement of a route: a session cookie or a bearer token, or none (public). */
export const authSecurity: Record<string, string[]>[] = [{ cookieAuth: [] }, { bearerAuth: [] }];

/** A route seen without its request types, as the mounting code needs it. */
type RouteShape = Omit<AnyRoute, 'body' | 'query' | 'params'> & {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
};

function documentedResponses(route: RouteShape): RouteConfig['responses'] {
  const responses: RouteConfig['responses'] = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    responses[status] = spec.schema
      ? { description: spec.description, content: { 'application/json': { schema: spec.schema } } }
      : { description: spec.description };
  }
  const codes = new Set<ErrorCode>(route.errors ?? []);
  if (route.body || route.query || route.params) codes.add('VALIDATION_FAILED');
  if (route.body)
    ['MALFORMED_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'].forEach((c) =>
      codes.add(c as ErrorCode),
    );
  if (route.auth === 'required') codes.add('NOT_AUTHENTICATED');
  // The shared auth middleware refuses a cross-origin write the session cookie would authenticate.
  if (route.auth === 'required' && route.method !== 'get') codes.add('CROSS_ORIGIN_REQUEST');
  codes.add('INTERNAL');
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, list] of byStatus) {
    responses[String(status)] = {
      description: `Error: ${list.join(', ')}`,
      content: { 'application/json': { schema: errorBodySchema } },
    };
  }
  return responses;
}

/** Mounts routes on a router and registers each in the OpenAPI registry. */
export function mountRoutes(router: Router, registry: OpenAPIRegistry, routes: readonly AnyRoute[]): void {
  const operationIds = new Set<string>();
  for (const route of routes as RouteShape[]) {
    const operationId = route.operationId ?? defaultOperationId(route.method, route.path);
    if (operationIds.has(operationId)) {
      throw new Error(`Two routes share the operationId ${operationId}; give one its own`);
    }
    operationIds.add(operationId);

    const chain: RequestHandler[] = [];
    if (route.auth === 'required') chain.push(requireAuth);
    if (route.body) chain.push(requireJson);
    chain.push(...(route.before ?? []));
    chain.push(validate({ body: route.body, query: route.query, params: route.params }));
    chain.push(...(route.afterValidation ?? []));
    // The chain above makes the handler's request type true: validated parts, and a user if required.
    chain.push(route.handler as unknown as RequestHandler);
    router[route.method](route.path, ...chain);

    registry.registerPath({
      method: route.method,
      path: toOpenApiPath(route.path),
      operationId,
      summary: route.summary,
      description: route.description,
      tags: route.tags,
      security: route.auth === 'required' ? authSecurity : [],
      request: {
        params: route.params as RequestParts['params'],
        query: route.query as RequestParts['query'],
        body: route.body
          ? { content: { 'application/json': { schema: route.body } }, required: true }
          : undefined,
      },
      responses: documentedResponses(route),
    });
  }
}
