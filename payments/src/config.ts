import { baseEnv, busEnv, env, loadConfigOrExit, tokenVerifierEnv } from '@glotixz/common/config';
import { z } from 'zod';

/** An unset variable and an empty one (`STRIPE_API_BASE=` in an env file) both mean "not set". */
function optional<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
}

/** Where the Stripe SDK sends its requests: `host`/`port`/`protocol` of `STRIPE_API_BASE`. */
export interface StripeEndpoint {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

const stripeApiBase = env.url(['http', 'https']).transform((value): StripeEndpoint => {
  const url = new URL(value);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
  };
});

/** The mode (`test` or `live`) a Stripe key belongs to. */
function keyMode(key: string): string | undefined {
  return /^(?:sk|rk|pk)_(test|live)_/.exec(key)?.[1];
}

/** The payments service's environment. */
export const configSchema = z
  .object({
    ...baseEnv,
    ...busEnv,
    ...tokenVerifierEnv,
    PORT: env.port(3004),
    DATABASE_URL: env.url(['postgres', 'postgresql']),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(?:sk|rk)_(?:test|live)_\S+$/, 'must be a Stripe secret key (sk_test_, sk_live_ or rk_…)'),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\S+$/, 'must be a Stripe webhook signing secret (whsec_…)'),
    /**
     * The signing secret of the Connect webhook endpoint, which gets the events of the sellers'
     * connected accounts (`account.updated`); it may share the URL of the platform's endpoint.
     */
    STRIPE_CONNECT_WEBHOOK_SECRET: optional(
      z.string().regex(/^whsec_\S+$/, 'must be a Stripe webhook signing secret (whsec_…)'),
    ),
    /** Unset: the SDK talks to api.stripe.com. Set: the local sandbox (or any Stripe-compatible API). */
    STRIPE_API_BASE: optional(stripeApiBase),
    /** Handed to clients for the Payment Element; never a secret. */
    STRIPE_PUBLISHABLE_KEY: optional(
      z.string().regex(/^pk_(?:test|live)_\S+$/, 'must be a Stripe publishable key (pk_test_ or pk_live_)'),
    ),
    /** Per request to Stripe; the SDK retries twice on network errors and 409/5xx answers. */
    STRIPE_TIMEOUT_MS: env.positiveInt(10_000),
    /** Backstop poll of the refund worker; it also wakes whenever this process marks a refund due. */
    REFUND_INTERVAL_SECONDS: env.positiveInt(5),
    /** How long a refund being asked of Stripe is left to its worker before another may take it. */
    REFUND_CLAIM_SECONDS: env.positiveInt(60),
    /** Pause between the reconciler's passes, which ask Stripe about payments no webhook settled. */
    RECONCILE_INTERVAL_SECONDS: env.positiveInt(30),
    /** A payment still open this long after its PaymentIntent was created is checked with Stripe. */
    RECONCILE_OPEN_AFTER_SECONDS: env.positiveInt(120),
    /** A confirmation in flight this long is presumed lost with its process and checked with Stripe. */
    RECONCILE_STALE_ATTEMPT_SECONDS: env.positiveInt(30),
    /** Longest pause between two checks of the same open payment (they back off from the above). */
    RECONCILE_BACKOFF_CAP_SECONDS: env.positiveInt(3600),
    /** Payments claimed per reconciler batch. */
    RECONCILE_BATCH_SIZE: env.positiveInt(50),
    /**
     * How long after the event starts a sale is paid out to its seller (the window for the event
     * to be cancelled or disputed first). Default 86400 (one day).
     */
    PAYOUT_HOLD_SECONDS: env.positiveInt(86_400),
    /** Backstop poll of the payout worker. */
    PAYOUT_INTERVAL_SECONDS: env.positiveInt(60),
    /** How long a sale being transferred is left to its worker before another may take it. */
    PAYOUT_CLAIM_SECONDS: env.positiveInt(60),
    /** First wait before a failed transfer is tried again; it doubles up to six hours. */
    PAYOUT_RETRY_BASE_SECONDS: env.positiveInt(60),
    /**
     * Seconds the payout clock runs ahead of real time (negative: behind): when sales are due, and
     * when a claimed or failed transfer may be tried again. For system tests and staging, which
     * move a sale past its event and hold without waiting; refused in production.
     */
    CLOCK_OFFSET_SECONDS: z.coerce
      .number({ error: 'must be an integer number of seconds' })
      .int({ error: 'must be an integer number of seconds' })
      .default(0),
    /** Pause between the ledger's reconciliations with Stripe. */
    LEDGER_RECONCILE_INTERVAL_SECONDS: env.positiveInt(600),
    /** Where the site is: the connected-account onboarding returns to `${PUBLIC_URL}/my/earnings`. */
    PUBLIC_URL: env.url(['http', 'https'], 'http://localhost:8080'),
  })
  .refine(
    (raw) =>
      raw.STRIPE_PUBLISHABLE_KEY === undefined ||
      keyMode(raw.STRIPE_PUBLISHABLE_KEY) === keyMode(raw.STRIPE_SECRET_KEY),
    {
      message: 'STRIPE_PUBLISHABLE_KEY and STRIPE_SECRET_KEY must both be test keys or both be live keys',
      path: ['STRIPE_PUBLISHABLE_KEY'],
    },
  )
  .refine((raw) => raw.NODE_ENV !== 'production' || raw.CLOCK_OFFSET_SECONDS === 0, {
    message: 'must be 0 when NODE_ENV is production: a shifted clock would pay sellers early',
    path: ['CLOCK_OFFSET_SECONDS'],
  });

/** Parsed payments configuration. */
export type Config = z.output<typeof configSchema>;

/** Reads the configuration once; exits listing every problem when it is invalid. */
export function readConfig(source: Record<string, string | undefined>): Config {
  return loadConfigOrExit(configSchema, source);
}
