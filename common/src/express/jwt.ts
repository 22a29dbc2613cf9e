import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';

/** The signed-in user as every service sees it. */
export interface CurrentUser {
  id: string;
  email: string;
}

/** What a service needs to verify tokens. Algorithms are pinned to ES256. */
export interface JwtVerifyOptions {
  publicKey: string;
  issuer: string;
  audience: string;
}

/** What the auth service needs to sign tokens. */
export interface JwtSignOptions {
  privateKey: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

const ALGORITHM = 'ES256' as const;

const claimsSchema = z.object({
  sub: z.uuid(),
  email: z.string(),
});

/** Signs an ES256 JWT for a user with `sub`, `email`, `iat`, `exp`, `iss` and `aud`. */
export function signUserToken(user: CurrentUser, options: JwtSignOptions): string {
  return jwt.sign({ email: user.email }, options.privateKey, {
    algorithm: ALGORITHM,
    subject: user.id,
    issuer: options.issuer,
    audience: options.audience,
    expiresIn: options.ttlSeconds,
  });
}

// Parsing the PEM costs more than checking the signature: parse each key once per process.
const publicKeys = new Map<string, KeyObject>();

function publicKeyObject(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    publicKeys.set(pem, key);
  }
  return key;
}

/**
 * Verifies a token with the pinned algorithm, issuer, audience and expiry, and returns the user
 * it names, or `null` for any token that is forged, expired, malformed or unsigned.
 */
export function verifyUserToken(token: string, options: JwtVerifyOptions): CurrentUser | null {
  try {
    const payload = jwt.verify(token, publicKeyObject(options.publicKey), {
      algorithms: [ALGORITHM],
      issuer: options.issuer,
      audience: options.audience,
    });
    const claims = claimsSchema.safeParse(payload);
    return claims.success ? { id: claims.data.sub, email: claims.data.email } : null;
  } catch {
    return null;
  }
}
