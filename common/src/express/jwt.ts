import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
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

/** The session a verified token belongs to: its `sid` and when the token expires. */
export interface TokenSession {
  id: string;
  expiresAt: Date;
}

/** What a verified token says: the user and the session. */
export interface VerifiedToken {
  user: CurrentUser;
  session: TokenSession;
}

const claimsSchema = z.object({
  sub: z.uuid(),
  email: z.string(),
  sid: z.uuid(),
  exp: z.number(),
});

/**
 * Signs an ES256 JWT for a user with `sub`, `email`, `sid` (the session it belongs to, revocable
 * on sign-out), `iat`, `exp`, `iss` and `aud`. `sessionId` defaults to a random one.
 */
export function signUserToken(
  user: CurrentUser,
  options: JwtSignOptions,
  sessionId: string = randomUUID(),
): string {
  return jwt.sign({ email: user.email, sid: sessionId }, options.privateKey, {
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
 * it names, or `null` for any token that is forged, expired, malformed, unsigned or without a
 * session id. Whether the session was revoked is not its concern (see `currentUser`).
 */
export function verifyUserToken(token: string, options: JwtVerifyOptions): CurrentUser | null {
  return verifySessionToken(token, options)?.user ?? null;
}

/** {@link verifyUserToken}, also answering the token's session. */
export function verifySessionToken(token: string, options: JwtVerifyOptions): VerifiedToken | null {
  try {
    const payload = jwt.verify(token, publicKeyObject(options.publicKey), {
      algorithms: [ALGORITHM],
      issuer: options.issuer,
      audience: options.audience,
    });
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return null;
    return {
      user: { id: claims.data.sub, email: claims.data.email },
      session: { id: claims.data.sid, expiresAt: new Date(claims.data.exp * 1000) },
    };
  } catch {
    return null;
  }
}
