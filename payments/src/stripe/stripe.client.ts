import type Stripe from 'stripe';
import type { Config } from '../config';

/**
 * The Stripe SDK module, loaded on first use: its 200-odd modules stay out of the memory of a
 * payments process that has not yet had to call Stripe.
 */
export function stripeSdk(): typeof Stripe {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  return require('stripe') as typeof Stripe;
}

/**
 * The real Stripe SDK, made on first use. With `STRIPE_API_BASE` set it talks to that server (the
 * local sandbox); without it, to api.stripe.com. Network errors and 409/5xx answers are retried
 * twice, with the same idempotency key.
 */
export function createStripeClient(
  config: Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_BASE' | 'STRIPE_TIMEOUT_MS'>,
): () => Stripe {
  let client: Stripe | undefined;
  return () => {
    const Sdk = stripeSdk();
    client ??= new Sdk(config.STRIPE_SECRET_KEY, {
      ...config.STRIPE_API_BASE,
      maxNetworkRetries: 2,
      timeout: config.STRIPE_TIMEOUT_MS,
      telemetry: false,
    });
    return client;
  };
}
