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

/** Options of {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  /** Most tokens remembered; the least recently used one is forgotten first. Default 10,000. */
  maxEntries?: number;
  /** The clock, in epoch milliseconds; for tests. */
  now?: () => number;
}

/** Verifies tokens like {@link verifySessionToken}, remembering the ones that verified. */
export type TokenVerifier = (token: string) => VerifiedToken | null;

/**
 * {@link verifySessionToken} with `options`, remembering each token that verified until it
 * expires, so a client sending the same token on every request pays for the signature check once.
 * The memory is a bounded LRU keyed by the whole token string: any other string, a token of
 * another key or one altered in a single character, is verified afresh, and tokens that fail are
 * never remembered. Revocation is no concern of it: check the session on every request (see
 * `currentUser`).
 */
export function createTokenVerifier(
  options: JwtVerifyOptions,
  { maxEntries = 10_000, now = Date.now }: TokenVerifierOptions = {},
): TokenVerifier {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const remembered = new Map<string, VerifiedToken>();
  return (token) => {
    const hit = remembered.get(token);
    if (hit) {
      remembered.delete(token);
      if (hit.session.expiresAt.getTime() > now()) {
        remembered.set(token, hit);
        return copyOf(hit);
      }
    }
    const verified = verifySessionToken(token, options);
    // jsonwebtoken checks `exp` against the real clock; the memory keeps to its own clock too.
    if (!verified || verified.session.expiresAt.getTime() <= now()) return verified;
    remembered.set(token, verified);
    if (remembered.size > maxEntries) {
      const oldest = remembered.keys().next();
      if (!oldest.done) remembered.delete(oldest.value);
    }
    return copyOf(verified);
  };
}

/** A copy a request may keep (and change) without touching the remembered one. */
function copyOf({ user, session }: VerifiedToken): VerifiedToken {
  return { user: { ...user }, session: { id: session.id, expiresAt: new Date(session.expiresAt) } };
}
