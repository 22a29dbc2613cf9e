import { z } from 'zod';
import { env } from './env-schemas';

/**
 * Where spans go: `OTEL_EXPORTER_OTLP_ENDPOINT`, the OTLP/HTTP base URL of a collector (spans are
 * posted to `<endpoint>/v1/traces`). Unset or empty: spans are created but not exported.
 */
export const tracingEnv = {
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(
    (value) => (value === '' ? undefined : value),
    env.url(['http', 'https']).optional(),
  ),
};

/**
 * How a service's HTTP server listens: `HOST`, the address (unset or empty: every interface, as a
 * pod needs; the local stack sets 127.0.0.1 so nothing reaches a service past the gateway), and
 * how long a client may take to send a request's headers and the whole request (answered
 * 408 REQUEST_TIMEOUT past them).
 */
export const httpEnv = {
  HOST: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
  HTTP_HEADERS_TIMEOUT_MS: env.positiveInt(10_000),
  HTTP_REQUEST_TIMEOUT_MS: env.positiveInt(30_000),
};

/** What every service reads: the runtime environment, the log level, where traces go and {@link httpEnv}. */
export const baseEnv = {
  NODE_ENV: env.nodeEnv(),
  LOG_LEVEL: env.logLevel(),
  ...tracingEnv,
  ...httpEnv,
};

/**
 * What a service on the bus reads: NATS, the (test-only) isolation prefix and how many replicas
 * the streams it provisions get (unset: 3 when the server is part of a cluster, else 1).
 */
export const busEnv = {
  /** A NATS server, or several of a cluster separated by commas (the client learns the rest itself). */
  NATS_URL: env.urlList(['nats', 'tls']),
  NATS_PREFIX: env.busPrefix(),
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).optional(),
};

/**
 * What a service with signed-in users reads to trust a token and the session cookie: the issuer
 * and audience every token must carry, the cookie keys and which proxy may set `X-Forwarded-*`.
 */
export const sessionEnv = {
  JWT_ISSUER: z.string().min(1).default('glotixz-auth'),
  JWT_AUDIENCE: z.string().min(1).default('glotixz'),
  COOKIE_KEYS: env.cookieKeys(),
  TRUST_PROXY: env.trustProxy(),
};

/**
 * {@link sessionEnv} plus the auth service's public key and the longest a token lives
 * (`JWT_TTL_SECONDS`, as auth issues them: how far back a service replays session revocations at
 * start-up), for every service but auth.
 */
export const tokenVerifierEnv = {
  ...sessionEnv,
  JWT_PUBLIC_KEY: env.ecPublicKey(),
  JWT_TTL_SECONDS: env.positiveInt(8 * 3600),
};
