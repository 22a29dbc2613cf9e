import { createPublicKey } from 'node:crypto';
import { env, loadConfigOrExit } from '@glotixz/common/config';
import { z } from 'zod';
import { currencyInputSchema } from './tickets/currency';

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

/** Sessions last as long as the tokens auth issues. */
const SESSION_MAX_AGE_MS = 8 * 3600 * 1000;

/** The tickets service's environment. */
export const configSchema = z
  .object({
    NODE_ENV: env.nodeEnv(),
    PORT: env.port(3002),
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
    DEFAULT_CURRENCY: currencyInputSchema.default('usd'),
  })
  .transform((raw) => ({
    ...raw,
    COOKIE_SECURE: raw.NODE_ENV === 'production',
    SESSION_MAX_AGE_MS,
  }));

/** Parsed tickets configuration. */
export type Config = z.output<typeof configSchema>;

/** Reads the configuration once; exits listing every problem when it is invalid. */
export function readConfig(source: Record<string, string | undefined>): Config {
  return loadConfigOrExit(configSchema, source);
}
