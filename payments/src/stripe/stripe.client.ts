import Stripe from 'stripe';
import type { Config } from '../config';

/**
 * The real Stripe SDK. With `STRIPE_API_BASE` set it talks to that server (the local sandbox);
 * without it, to api.stripe.com. Network errors and 409/5xx answers are retried twice, with the
 * same idempotency key.
 */
export function createStripeClient(
  config: Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_BASE' | 'STRIPE_TIMEOUT_MS'>,
): Stripe {
  return new Stripe(config.STRIPE_SECRET_KEY, {
    ...config.STRIPE_API_BASE,
    maxNetworkRetries: 2,
    timeout: config.STRIPE_TIMEOUT_MS,
    telemetry: false,
  });
}
