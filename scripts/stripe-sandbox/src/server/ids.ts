import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The id prefixes Stripe uses for the objects the sandbox models. */
export type IdPrefix =
  'pi' | 'pm' | 'ch' | 're' | 'evt' | 'req' | 'txn' | 'acct' | 'tr' | 'trr' | 'py' | 'pyr';

/** `length` random base62 characters. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let token = '';
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every character equally likely.
  for (let i = 0; token.length < length; i++) {
    const byte = i < bytes.length ? bytes[i]! : randomBytes(1)[0]!;
    if (byte < 248) token += ALPHABET[byte % 62];
  }
  return token;
}

/** A Stripe-looking id such as `pi_3MtwBwLkdIwHu7ix28a3tqPa`. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomToken(24)}`;
}

/** Unix time in whole seconds, as Stripe's `created` fields carry it. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
