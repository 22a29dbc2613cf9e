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

/** What every service reads: the runtime environment, the log level and where traces go. */
export const baseEnv = {
  NODE_ENV: env.nodeEnv(),
  LOG_LEVEL: env.logLevel(),
  ...tracingEnv,
};

/**
 * What a service on the bus reads: NATS, the (test-only) isolation prefix and how many replicas
 * the streams it provisions get (3 on a three-server NATS cluster).
 */
export const busEnv = {
  NATS_URL: env.url(['nats', 'tls']),
  NATS_PREFIX: env.busPrefix(),
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
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
