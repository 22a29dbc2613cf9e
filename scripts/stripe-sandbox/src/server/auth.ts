import type { RequestHandler } from 'express';
import { notAuthenticated } from './stripe-error';

const MISSING_KEY =
  "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). " +
  'See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.';

/** The key in `Authorization: Bearer <key>` or in Basic auth's user name (`curl -u sk_test_...:`). */
export function apiKeyOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.split(':', 1)[0] || undefined;
  }
  return undefined;
}

/** A test-mode secret or restricted key. */
export const TEST_KEY = /^(?:sk|rk)_test_\S+$/;

function masked(key: string): string {
  return key.length <= 12 ? key : `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
}

/**
 * Accepts the configured secret key, or any test secret or restricted key (`sk_test_...`,
 * `rk_test_...`) when none is configured; anything else (live keys included) is Stripe's 401. The accepted key is left in `res.locals.secretKey` (idempotency keys are
 * scoped by it).
 */
export function authenticate(secretKey: string | undefined): RequestHandler {
  return (req, res, next) => {
    const key = apiKeyOf(req.get('authorization'));
    if (!key) throw notAuthenticated(MISSING_KEY);
    const valid = secretKey === undefined ? TEST_KEY.test(key) : key === secretKey;
    if (!valid) throw notAuthenticated(`Invalid API Key provided: ${masked(key)}`);
    res.locals.secretKey = key;
    next();
  };
}
