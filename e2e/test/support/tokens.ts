import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { TestKeys, TestUser } from '@glotixz/common/testing';

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** A compact JWT with the header and claims given, signed by `signer` (empty signature without one). */
function compact(header: object, claims: object, signer?: (data: string) => Buffer): string {
  const data = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  return `${data}.${signer ? base64url(signer(data)) : ''}`;
}

/** An ES256 signer (raw r‖s, as JWS wants it) for a PEM private key. */
function es256(privateKey: string) {
  return (data: string) => sign('sha256', Buffer.from(data), { key: privateKey, dsaEncoding: 'ieee-p1363' });
}

/** A base64url signature with its first byte inverted: the right length, the wrong value. */
function flipFirstByte(signature: string): string {
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  return base64url(bytes);
}

/**
 * Tokens for `user` that must all be refused: each is what an attacker can make, or a real token
 * that is no longer or never was good for this system. The names say what is wrong.
 */
export function forgedTokens(keys: TestKeys, user: TestUser, victimId: string): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    email: user.email,
    sub: user.id,
    // A session id, as every real token has, so each token is refused for the flaw its name says.
    sid: randomUUID(),
    iss: keys.sign.issuer,
    aud: keys.sign.audience,
    iat: now,
    exp: now + 3600,
  };
  const es = { alg: 'ES256', typ: 'JWT' };
  const [header, , signature] = user.token.split('.');
  const otherKey = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  return {
    'a valid signature over claims naming another user': `${header}.${base64url(
      JSON.stringify({ ...claims, sub: victimId }),
    )}.${signature}`,
    'a tampered signature': `${header}.${user.token.split('.')[1]}.${flipFirstByte(signature ?? '')}`,
    'an expired token': compact(es, { ...claims, iat: now - 7200, exp: now - 60 }, es256(keys.privateKey)),
    'alg none': compact({ alg: 'none', typ: 'JWT' }, claims),
    'HS256 keyed with the public key': compact({ alg: 'HS256', typ: 'JWT' }, claims, (data) =>
      createHmac('sha256', keys.publicKey).update(data).digest(),
    ),
    'another issuer': compact(es, { ...claims, iss: 'someone-else' }, es256(keys.privateKey)),
    'another audience': compact(es, { ...claims, aud: 'another-app' }, es256(keys.privateKey)),
    'another signing key': compact(es, claims, es256(otherKey)),
    'not a JWT at all': 'definitely-not-a-token',
  };
}

/**
 * An e-ticket code shaped exactly like a real one (ES256, typ `eticket+jwt`, the system's `kid`,
 * the claims of a ticket) but signed with a key of its own: only the signature gives it away.
 */
export function forgedEticket(kid: string): string {
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const claims = {
    tid: randomUUID(),
    oid: randomUUID(),
    eid: randomUUID(),
    sub: randomUUID(),
    iat: Math.floor(Date.now() / 1000),
  };
  return compact({ alg: 'ES256', typ: 'eticket+jwt', kid }, claims, es256(privateKey));
}

/**
 * A session cookie header carrying `jwt`, signed with the system's cookie keys exactly as
 * cookie-session signs it (keygrip: HMAC-SHA1 over `name=value`, URL-safe base64), so only the
 * token inside decides.
 */
export function sessionCookie(jwt: string, cookieKeys: string[], name = 'glotixz'): string {
  const [key] = cookieKeys;
  if (!key) throw new Error('no cookie key');
  const value = Buffer.from(JSON.stringify({ jwt })).toString('base64');
  const signature = createHmac('sha1', key).update(`${name}=${value}`).digest('base64url');
  return `${name}=${value}; ${name}.sig=${signature}`;
}
