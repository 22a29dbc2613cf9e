/**
 * Development keys: an ES256 pair that signs and verifies a JWT, generated once and reused,
 * private files readable by the owner only, cookie keys and the Stripe webhook secret.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureDevKeys } from '../lib/keys.mjs';

let dir;

before(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'glotixz-keys-')), 'keys');
});

after(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

const base64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signJwt(payload, privateKey) {
  const input = `${base64url({ alg: 'ES256', typ: 'JWT' })}.${base64url(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function verifyJwt(token, publicKey) {
  const [header, payload, signature] = token.split('.');
  return verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
}

test('generates an ES256 (P-256) pair that signs and verifies a JWT', async () => {
  const keys = await ensureDevKeys(dir);
  assert.equal(createPrivateKey(keys.jwtPrivateKey).asymmetricKeyDetails.namedCurve, 'prime256v1');
  assert.match(keys.jwtPublicKey, /^-----BEGIN PUBLIC KEY-----/);

  const token = signJwt({ sub: 'user-1', iss: 'glotixz-auth', aud: 'glotixz' }, keys.jwtPrivateKey);
  assert.equal(Buffer.from(token.split('.')[2], 'base64url').length, 64);
  assert.equal(verifyJwt(token, keys.jwtPublicKey), true);

  const [header, , signature] = token.split('.');
  const forged = `${header}.${base64url({ sub: 'admin', iss: 'glotixz-auth', aud: 'glotixz' })}.${signature}`;
  assert.equal(verifyJwt(forged, keys.jwtPublicKey), false);
});

test('writes the files once and reuses them', async () => {
  const first = await ensureDevKeys(dir);
  const second = await ensureDevKeys(dir);
  assert.deepEqual(second.generated, []);
  assert.equal(second.jwtPrivateKey, first.jwtPrivateKey);
  assert.deepEqual(second.cookieKeys, first.cookieKeys);
  assert.equal(second.stripeWebhookSecret, first.stripeWebhookSecret);
  assert.equal(second.stripeConnectWebhookSecret, first.stripeConnectWebhookSecret);
  assert.equal(await readFile(join(dir, 'jwt-private.pem'), 'utf8'), first.jwtPrivateKey);
  assert.equal(await readFile(join(dir, 'jwt-public.pem'), 'utf8'), first.jwtPublicKey);
});

test('keeps secrets readable by their owner only', async () => {
  await ensureDevKeys(dir);
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  for (const file of [
    'jwt-private.pem',
    'cookie-keys',
    'stripe-webhook-secret',
    'stripe-connect-webhook-secret',
  ]) {
    assert.equal((await stat(join(dir, file))).mode & 0o777, 0o600, file);
  }
});

test('derives a lost public key from the private key', async () => {
  const { jwtPrivateKey } = await ensureDevKeys(dir);
  await unlink(join(dir, 'jwt-public.pem'));
  const keys = await ensureDevKeys(dir);
  const expected = createPublicKey(jwtPrivateKey).export({ type: 'spki', format: 'pem' });
  assert.equal(keys.jwtPublicKey, expected);
  assert.equal(await readFile(join(dir, 'jwt-public.pem'), 'utf8'), expected);
});

test('makes two distinct cookie keys long enough for the services and a whsec_ secret', async () => {
  const keys = await ensureDevKeys(dir);
  assert.equal(keys.cookieKeys.length, 2);
  assert.notEqual(keys.cookieKeys[0], keys.cookieKeys[1]);
  for (const key of keys.cookieKeys) assert.ok(key.length >= 32 && !key.includes(','));
  assert.match(keys.stripeWebhookSecret, /^whsec_[0-9a-f]{48}$/);
  assert.match(keys.stripeConnectWebhookSecret, /^whsec_[0-9a-f]{48}$/);
  assert.notEqual(keys.stripeConnectWebhookSecret, keys.stripeWebhookSecret);
});

test('makes an e-ticket signing key whose JWKS, under its kid, verifies what it signs', async () => {
  const keys = await ensureDevKeys(dir);
  assert.equal(createPrivateKey(keys.eticketSigningKey).asymmetricKeyDetails.namedCurve, 'prime256v1');
  assert.match(keys.eticketKeyId, /^eticket-[A-Za-z0-9_-]{16}$/);
  const jwks = JSON.parse(keys.eticketPublicKeys);
  assert.equal(jwks.keys.length, 1);
  const [jwk] = jwks.keys;
  assert.deepEqual(
    { kty: jwk.kty, crv: jwk.crv, kid: jwk.kid, alg: jwk.alg, use: jwk.use, d: jwk.d },
    { kty: 'EC', crv: 'P-256', kid: keys.eticketKeyId, alg: 'ES256', use: 'sig', d: undefined },
  );
  const token = signJwt({ tid: 't', oid: 'o', eid: 'e', sub: 'u', iat: 1 }, keys.eticketSigningKey);
  assert.equal(verifyJwt(token, createPublicKey({ key: jwk, format: 'jwk' })), true);

  // Kept across runs, distinct from the JWT key, readable by its owner only.
  const again = await ensureDevKeys(dir);
  assert.equal(again.eticketSigningKey, keys.eticketSigningKey);
  assert.equal(again.eticketKeyId, keys.eticketKeyId);
  assert.notEqual(keys.eticketSigningKey, keys.jwtPrivateKey);
  assert.equal((await stat(join(dir, 'eticket-private.pem'))).mode & 0o777, 0o600);
});
