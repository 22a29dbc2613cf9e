import { baseEnv, busEnv, env, loadConfigOrExit, tokenVerifierEnv } from '@glotixz/common/config';
import { z } from 'zod';

/** I5: no unpaid order may stay reserved past `expiresAt` + 30 s, whatever the sweeper settings. */
const expiryBoundSeconds = 30;

/** The orders service's environment. */
export const configSchema = z
  .object({
    ...baseEnv,
    ...busEnv,
    ...tokenVerifierEnv,
    PORT: env.port(3003),
    DATABASE_URL: env.url(['postgres', 'postgresql']),
    EXPIRATION_WINDOW_SECONDS: env.positiveInt(900),
    SWEEP_INTERVAL_SECONDS: env.positiveInt(5),
    SWEEP_GRACE_SECONDS: z.coerce.number().int().nonnegative().default(2),
    SWEEP_BATCH_SIZE: env.positiveInt(100),
    /** Orders one buyer may hold awaiting payment at once; one more answers 409 HOLD_LIMIT_REACHED. */
    MAX_HOLDS_PER_BUYER: env.positiveInt(5),
    /** Order placements one buyer may attempt per window; more answer 429 RATE_LIMITED. */
    ORDER_RATE_MAX: env.positiveInt(20),
    ORDER_RATE_WINDOW_SECONDS: env.positiveInt(60),
    /** How long a buyer whose order was cancelled or expired waits to hold that ticket again; 0: no wait. */
    HOLD_COOLDOWN_SECONDS: z.coerce.number().int().nonnegative().default(60),
    /**
     * The P-256 private key (PKCS8 PEM, `\n` escapes or base64 accepted) that signs e-tickets;
     * tickets verifies them with its public part (`ETICKET_PUBLIC_KEYS`).
     */
    ETICKET_SIGNING_KEY: env.ecPrivateKey(),
    /** The `kid` e-tickets are signed under: the key's id in tickets' `ETICKET_PUBLIC_KEYS`. */
    ETICKET_KEY_ID: z.string().trim().min(1).max(200),
  })
  .refine((raw) => raw.SWEEP_INTERVAL_SECONDS + raw.SWEEP_GRACE_SECONDS < expiryBoundSeconds, {
    message: `SWEEP_INTERVAL_SECONDS + SWEEP_GRACE_SECONDS must stay below ${expiryBoundSeconds} (I5)`,
    path: ['SWEEP_INTERVAL_SECONDS'],
  });

/** Parsed orders configuration. */
export type Config = z.output<typeof configSchema>;

/** Reads the configuration once; exits listing every problem when it is invalid. */
export function readConfig(source: Record<string, string | undefined>): Config {
  return loadConfigOrExit(configSchema, source);
}
