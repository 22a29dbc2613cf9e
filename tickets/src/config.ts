import { baseEnv, busEnv, env, loadConfigOrExit, tokenVerifierEnv } from '@glotixz/common/config';
import { z } from 'zod';
import { eticketJwksEnv } from './checkins/eticket-keys';
import { currencyInputSchema } from './tickets/currency';

/** The tickets service's environment. */
export const configSchema = z.object({
  ...baseEnv,
  ...busEnv,
  ...tokenVerifierEnv,
  PORT: env.port(3002),
  DATABASE_URL: env.url(['postgres', 'postgresql']),
  DEFAULT_CURRENCY: currencyInputSchema.default('usd'),
  /** How often the closing job closes the listings of events that have started. */
  EVENT_CLOSE_INTERVAL_SECONDS: env.positiveInt(5),
  /**
   * The public keys e-tickets are signed with (orders' `ETICKET_SIGNING_KEY`), as a JWKS JSON
   * string; list the old key too while rotating. Without it no code is accepted at the door.
   */
  ETICKET_PUBLIC_KEYS: eticketJwksEnv.default({ keys: [] }),
});

/** Parsed tickets configuration. */
export type Config = z.output<typeof configSchema>;

/** Reads the configuration once; exits listing every problem when it is invalid. */
export function readConfig(source: Record<string, string | undefined>): Config {
  return loadConfigOrExit(configSchema, source);
}
