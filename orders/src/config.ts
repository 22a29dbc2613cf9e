import { baseEnv, busEnv, env, loadConfigOrExit, tokenVerifierEnv } from '@glotixz/common/config';
import { feeScheduleSchema } from '@glotixz/common/events';
import { z } from 'zod';

/** I5: no unpaid order may stay reserved past `expiresAt` + 30 s, whatever the sweeper settings. */
const expiryBoundSeconds = 30;

/** The platform fee when `PLATFORM_FEE` is unset: 10 %, plus a fixed part in usd, eur and gbp. */
export const defaultPlatformFee = JSON.stringify({
  default: { percentBps: 1000, fixed: 0 },
  currencies: {
    usd: { percentBps: 1000, fixed: 99 },
    eur: { percentBps: 1000, fixed: 99 },
    gbp: { percentBps: 1000, fixed: 79 },
  },
});

/** A JSON environment variable, parsed then checked against `schema`. */
function jsonEnv<T extends z.ZodType>(schema: T, fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

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
    /**
     * The platform fee buyers pay on top of a ticket's price, as JSON of `feeScheduleSchema`
     * (`{"default":{"percentBps":…,"fixed":…},"currencies":{"usd":{…}}}`); each order keeps the fee
     * it was placed with.
     */
    PLATFORM_FEE: jsonEnv(feeScheduleSchema, defaultPlatformFee),
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
