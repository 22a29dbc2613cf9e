import { createPublicKey } from 'node:crypto';
import { baseEnv, busEnv, env, loadConfigOrExit, sessionEnv } from '@glotixz/common/config';
import { z } from 'zod';

/** The auth service's environment. */
export const configSchema = z
  .object({
    ...baseEnv,
    ...busEnv,
    ...sessionEnv,
    PORT: env.port(3001),
    DATABASE_URL: env.url(['postgres', 'postgresql']),
    JWT_PRIVATE_KEY: env.ecPrivateKey(),
    JWT_TTL_SECONDS: env.positiveInt(8 * 3600),
    /** Failed sign-ins per address and email per window (per address alone: ten times this). */
    SIGNIN_MAX_FAILURES: env.positiveInt(10),
    SIGNIN_WINDOW_SECONDS: env.positiveInt(15 * 60),
    /** Failed sign-ins to one account, from any address, before each attempt must wait. */
    SIGNIN_ACCOUNT_FREE_FAILURES: env.positiveInt(5),
    /** The longest wait between attempts on one account (it doubles from 1 s). */
    SIGNIN_ACCOUNT_MAX_DELAY_SECONDS: env.positiveInt(15 * 60),
    /** How long after its last failure an account's failures are forgotten. */
    SIGNIN_ACCOUNT_WINDOW_SECONDS: env.positiveInt(24 * 3600),
    /** Sign-ups per client address per window. */
    SIGNUP_MAX_PER_ADDRESS: env.positiveInt(10),
    SIGNUP_WINDOW_SECONDS: env.positiveInt(3600),
    /** How long a password-reset link works. */
    PASSWORD_RESET_TTL_SECONDS: env.positiveInt(30 * 60),
    /** Password-reset requests per email per window, from any address (each may send a mail). */
    PASSWORD_RESET_MAX_PER_EMAIL: env.positiveInt(5),
    /** Password-reset requests per client address per window; also its failed confirmations. */
    PASSWORD_RESET_MAX_PER_ADDRESS: env.positiveInt(20),
    PASSWORD_RESET_WINDOW_SECONDS: env.positiveInt(3600),
    /** Password hashes (128 MiB scrypt each) computed at once. */
    PASSWORD_HASH_CONCURRENCY: env.positiveInt(2),
    /** Password hashes allowed to wait for a slot; past it, 503 `SERVER_BUSY`. */
    PASSWORD_HASH_QUEUE_MAX: env.positiveInt(16),
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
