import { baseEnv, busEnv, env, loadConfigOrExit } from '@glotixz/common/config';
import { z } from 'zod';

/** The notifications service's environment. */
export const configSchema = z.object({
  ...baseEnv,
  ...busEnv,
  PORT: env.port(3006),
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  /** The SMTP server mail is handed to, e.g. `smtps://user:pass@smtp.example.com:465`. */
  SMTP_URL: env.url(['smtp', 'smtps'], 'smtp://127.0.0.1:1025'),
  /** The sender of every email. */
  MAIL_FROM: z.string().min(3).default('Glotixz <tickets@glotixz.local>'),
  /** Where people open Glotixz in a browser (links in emails): the gateway's public origin. */
  PUBLIC_URL: env
    .url(['http', 'https'], 'http://localhost:8080')
    .transform((value) => value.replace(/\/+$/, '')),
  /** Delivery attempts of one email before it is marked `dead`. */
  EMAIL_MAX_ATTEMPTS: env.positiveInt(8),
  /** Wait after the first failed attempt; it doubles with each further one, up to the cap. */
  EMAIL_RETRY_BASE_MS: env.positiveInt(10_000),
  EMAIL_RETRY_CAP_MS: env.positiveInt(15 * 60_000),
  /** How often the sender looks for due emails (it is also woken by every new one). */
  EMAIL_POLL_INTERVAL_MS: env.positiveInt(5_000),
  /** Emails claimed per pass. */
  EMAIL_BATCH_SIZE: env.positiveInt(10),
  /** Connection, greeting and socket timeout of one SMTP conversation. */
  SMTP_TIMEOUT_MS: env.positiveInt(30_000),
});

/** Parsed notifications configuration. */
export type Config = z.output<typeof configSchema>;

/** Reads the configuration once; exits listing every problem when it is invalid. */
export function readConfig(source: Record<string, string | undefined>): Config {
  return loadConfigOrExit(configSchema, source);
}
