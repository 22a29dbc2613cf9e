import { createPrivateKey, createPublicKey } from 'node:crypto';
import { env, loadConfigOrExit } from '@glotixz/common/config';
import { z } from 'zod';

const p256PrivateKey = env.pem('PRIVATE KEY').refine(
  (pem) => {
    try {
      return createPrivateKey(pem).asymmetricKeyDetails?.namedCurve === 'prime256v1';
    } catch {
      return false;
    }
  },
  { message: 'must be an EC P-256 private key (ES256)' },
);

/** The auth service's environment. */
export const configSchema = z
  .object({
    NODE_ENV: env.nodeEnv(),
    PORT: env.port(3001),
    LOG_LEVEL: env.logLevel(),
    DATABASE_URL: env.url(['postgres', 'postgresql']),
    JWT_PRIVATE_KEY: p256PrivateKey,
    JWT_ISSUER: z.string().min(1).default('glotixz-auth'),
    JWT_AUDIENCE: z.string().min(1).default('glotixz'),
    JWT_TTL_SECONDS: env.positiveInt(8 * 3600),
    COOKIE_KEYS: env.list().pipe(z.array(z.string().min(32, 'each cookie key needs at least 32 characters'))),
    TRUST_PROXY: z
      .string()
      .default('loopback')
      .transform((value): string | boolean => (value === 'true' ? true : value === 'false' ? false : value)),
    SIGNIN_MAX_FAILURES: env.positiveInt(10),
    SIGNIN_WINDOW_SECONDS: env.positiveInt(15 * 60),
  })
  .transform((raw) => ({
    ...raw,
    JWT_PUBLIC_KEY: createPublicKey(raw.JWT_PRIVATE_KEY).export({ type: 'spki', format: 'pem' }).toString(),
    COOKIE_SECURE: raw.NODE_ENV === 'production',
  }));

/** Parsed auth configuration. */
export type Config = z.output<typeof configSchema>;

/** Reads the configuration once; exits listing every problem when it is invalid. */
export function readConfig(source: Record<string, string | undefined>): Config {
  return loadConfigOrExit(configSchema, source);
}
