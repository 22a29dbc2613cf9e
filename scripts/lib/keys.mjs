/** The bootstrap's development secrets, generated once into .data/keys/ (gitignored); never for production. */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A new P-256 private key as PKCS8 PEM (what auth signs tokens and orders signs e-tickets with). */
export function newP256PrivateKey() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .trim();
}

/**
 * What orders (`eticketSigningKey`, `eticketKeyId`: the key's RFC 7638 thumbprint) and tickets
 * (`eticketPublicKeys`: a JWKS of its public part under that kid) need of an e-ticket signing key.
 */
export function eticketKeysFrom(privateKeyPem) {
  const { kty, crv, x, y } = createPublicKey(privateKeyPem).export({ format: 'jwk' });
  const thumbprint = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
  const kid = `eticket-${thumbprint.slice(0, 16)}`;
  return {
    eticketSigningKey: `${privateKeyPem.trim()}\n`,
    eticketKeyId: kid,
    eticketPublicKeys: JSON.stringify({ keys: [{ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' }] }),
  };
}

/**
 * Loads the keys from `dir`, generating whatever is missing: { jwtPrivateKey, jwtPublicKey,
 * eticketSigningKey, eticketKeyId, eticketPublicKeys, cookieKeys, stripeWebhookSecret,
 * stripeConnectWebhookSecret, generated }.
 * Public keys are derived from the private ones.
 */
export async function ensureDevKeys(dir) {
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o700);
  const generated = [];
  /** The content of `file`, written by `make()` (readable by its owner only) when missing or empty. */
  const secret = async (file, what, make) => {
    const kept = (await readFile(join(dir, file), 'utf8').catch(() => '')).trim();
    if (kept) return kept;
    const made = make();
    await writeFile(join(dir, file), `${made}\n`, { mode: 0o600 });
    await chmod(join(dir, file), 0o600);
    generated.push(what);
    return made;
  };
  const jwtPrivateKey = `${await secret('jwt-private.pem', 'JWT key pair (ES256)', newP256PrivateKey)}\n`;
  const jwtPublicKey = createPublicKey(jwtPrivateKey).export({ type: 'spki', format: 'pem' }).toString();
  const publicFile = join(dir, 'jwt-public.pem');
  if ((await readFile(publicFile, 'utf8').catch(() => null)) !== jwtPublicKey) {
    await writeFile(publicFile, jwtPublicKey, { mode: 0o644 });
  }
  const key = () => randomBytes(32).toString('base64url');
  const cookieKeys = (await secret('cookie-keys', 'cookie keys', () => `${key()}\n${key()}`)).split('\n');
  const stripeWebhookSecret = await secret(
    'stripe-webhook-secret',
    'Stripe webhook secret',
    () => `whsec_${randomBytes(24).toString('hex')}`,
  );
  // The Connect endpoint's own secret: the sandbox signs the connected accounts' events with it.
  const stripeConnectWebhookSecret = await secret(
    'stripe-connect-webhook-secret',
    'Stripe Connect webhook secret',
    () => `whsec_${randomBytes(24).toString('hex')}`,
  );
  const eticketKeys = eticketKeysFrom(
    await secret('eticket-private.pem', 'e-ticket signing key (ES256)', newP256PrivateKey),
  );
  return {
    jwtPrivateKey,
    jwtPublicKey,
    ...eticketKeys,
    cookieKeys,
    stripeWebhookSecret,
    stripeConnectWebhookSecret,
    generated,
  };
}
