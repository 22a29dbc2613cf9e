import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { signUserToken, type CurrentUser, type JwtSignOptions, type JwtVerifyOptions } from '../express/jwt';

/** A throwaway ES256 key pair with the matching sign and verify options. */
export interface TestKeys {
  sign: JwtSignOptions;
  verify: JwtVerifyOptions;
  privateKey: string;
  publicKey: string;
}

/** Generates a fresh ES256 (P-256) key pair for a test. */
export function createTestKeys(
  overrides: Partial<Pick<JwtSignOptions, 'issuer' | 'audience' | 'ttlSeconds'>> = {},
): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const issuer = overrides.issuer ?? 'glotixz-auth';
  const audience = overrides.audience ?? 'glotixz';
  return {
    privateKey,
    publicKey,
    sign: { privateKey, issuer, audience, ttlSeconds: overrides.ttlSeconds ?? 3600 },
    verify: { publicKey, issuer, audience },
  };
}

/** A signed-in test user: its token, and the `Authorization` header value carrying it. */
export interface TestUser extends CurrentUser {
  token: string;
  authorization: string;
}

/** A random user with a valid token, for services that only verify tokens. */
export function createTestUser(keys: TestKeys, email = `user-${randomUUID()}@example.test`): TestUser {
  const user = { id: randomUUID(), email };
  const token = signUserToken(user, keys.sign);
  return { ...user, token, authorization: `Bearer ${token}` };
}

/** Random cookie-session keys. */
export function createCookieKeys(count = 2): string[] {
  return Array.from({ length: count }, () => randomBytes(32).toString('hex'));
}
