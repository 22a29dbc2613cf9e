export {
  createServiceApp,
  sessionCookieName,
  type ServiceApp,
  type ServiceAppOptions,
  type SessionOptions,
  type ReadinessCheck,
} from './service-app';
export {
  defineRoute,
  mountRoutes,
  errorBodySchema,
  defaultOperationId,
  authSecurity,
  type RouteSpec,
  type AnyRoute,
  type ValidRequest,
  type AuthedRequest,
  type RouteAuth,
  type RouteRequest,
  type ResponseSpec,
} from './route';
export { validate, validationDetails, type FieldIssue, type RequestSchemas } from './validate';
export { currentUser, requireAuth, startSession, endSession, type SessionData } from './current-user';
export {
  signUserToken,
  verifyUserToken,
  verifySessionToken,
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
  type CurrentUser,
  type TokenSession,
  type VerifiedToken,
  type JwtSignOptions,
  type JwtVerifyOptions,
} from './jwt';
export { errorHandler, notFoundHandler } from './error-handler';
export {
  createOpenApiRegistry,
  generateOpenApi,
  mountDocs,
  type OpenApiInfo,
  type OpenApiRegistryOptions,
} from './openapi';
export { createHttpMetrics, createMetricsRegistry, type HttpMetrics } from './metrics';
export type { Registry } from 'prom-client';
export { createLogger, type LoggerOptions } from './logger';
export { httpTracing, traceResponseHeader, type HttpTracingOptions } from './http-tracing';
export { runService, type Lifecycle, type RunServiceOptions } from './run-service';
export { createHttpServer, listenHttp, type HttpSettings } from './http-server';
export { securityHeaders, API_PERMISSIONS_POLICY, RAW_ANSWER_HEADERS } from './security-headers';
export { sessionOptions, defaultSessionMaxAgeMs, type SessionConfig } from './session-options';
export { RevokedSessions, type SessionRevocationCheck, type SessionRef } from './session-revocations';
export { isCrossOrigin, isUnsafeMethod, ownOrigin } from './cross-origin';
export {
  encodePageCursor,
  decodePageCursor,
  encodeCursor,
  decodeCursor,
  cursorInstant,
  cursorSchema,
  keysetPage,
  pageCursorSchema,
  pageLimitSchema,
  pageSchema,
  type PageLimitOptions,
  maxCursorLength,
  type PageCursor,
} from './paging';
