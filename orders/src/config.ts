import { createPublicKey } from 'node:crypto';
import { env, loadConfigOrExit } from '@glotixz/common/config';
import { z } from 'zod';

const p256PublicKey = env.pem('PUBLIC KEY').refine(
  (pem) => {
    try {
      return createPublicKey(pem).asymmetricKeyDetails?.namedCurve === 'prime256v1';
    } catch {
      return false;
    }
  },
  { message: 'must be an EC P-256 public key (ES256)' },
);

/** I5: no unpaid order may stay reserved past `expiresAt` + 30 s, whatever the sweeper settings. */
const expiryBoundSeconds = 30;
const sessionMaxAgeMs = 8 * 3600 * 1000;

/** The orders service's environment. */
export const configSchema = z
  .object({
    NODE_ENV: env.nodeEnv(),
    PORT: env.port(3003),
    LOG_LEVEL: env.logLevel(),
    DATABASE_URL: env.url(['postgres', 'postgresql']),
    NATS_URL: env.url(['nats', 'tls']),
    NATS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]*$/, 'use letters, digits, _ and - only')
      .default(''),
    JWT_PUBLIC_KEY: p256PublicKey,
    JWT_ISSUER: z.string().min(1).default('glotixz-auth'),
    JWT_AUDIENCE: z.string().min(1).default('glotixz'),
    COOKIE_KEYS: env.list().pipe(z.array(z.string().min(32, 'each cookie key needs at least 32 characters'))),
    TRUST_PROXY: z
      .string()
      .default('loopback')
      .transform((value): string | boolean => (value === 'true' ? true : value === 'false' ? false : value)),
    EXPIRATION_WINDOW_SECONDS: env.positiveInt(900),
    SWEEP_INTERVAL_SECONDS: env.positiveInt(5),
    SWEEP_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(2),
    SWEEP_BATCH_SIZE: env.positiveInt(100),
  })
  .refine((raw) => raw.SWEEP_INTERVAL_SECONDS + raw.SWEEP_GRACE_SECONDS < expiryBoundSeconds, {
    message: `SWEEP_INTERVAL_SECONDS + SWEEP_GRACE_SECONDS must stay below ${expiryBoundSeconds} (I5)`,
    path: ['SWEEP_INTERVAL_SECONDS'],
  })
  .transform((raw) => ({
    ...raw,
    COOKIE_SECURE: raw.NODE_ENV === 'production',
    SESSION_MAX_AGE_MS: sessionMaxAgeMs,
  }));

/** Parsed orders configuration. */
export type Config = z.output<typeof configSchema>;

/** Reads the configuration once; exits listing every problem when it is invalid. */
export function readConfig(source: Record<string, string | undefined>): Config {
  return loadConfigOrExit(configSchema, source);
}
