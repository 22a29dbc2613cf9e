import { createPublicKey } from 'node:crypto';
import { baseEnv, env, loadConfigOrExit, sessionEnv } from '@glotixz/common/config';
import { z } from 'zod';

/** The auth service's environment. */
export const configSchema = z
  .object({
    ...baseEnv,
    ...sessionEnv,
    PORT: env.port(3001),
    DATABASE_URL: env.url(['postgres', 'postgresql']),
    JWT_PRIVATE_KEY: env.ecPrivateKey(),
    JWT_TTL_SECONDS: env.positiveInt(8 * 3600),
    SIGNIN_MAX_FAILURES: env.positiveInt(10),
    SIGNIN_WINDOW_SECONDS: env.positiveInt(15 * 60),
  })
  .transform((raw) => ({
    ...raw,
    JWT_PUBLIC_KEY: createPublicKey(raw.JWT_PRIVATE_KEY).export({ type: 'spki', format: 'pem' }).toString(),
  }));

/** Parsed auth configuration. */
export type Config = z.output<typeof configSchema>;

/** Reads the configuration once; exits listing every problem when it is invalid. */
export function readConfig(source: Record<string, string | undefined>): Config {
  return loadConfigOrExit(configSchema, source);
}
