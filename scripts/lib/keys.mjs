/**
 * The bootstrap's development secrets, generated once into .data/keys/ (gitignored): an ES256
 * (P-256) JWT key pair as PEM, cookie-session keys and a placeholder Stripe webhook secret.
 * Never use these outside a developer machine or CI.
 */
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Loads the keys from `dir`, generating whatever is missing: { jwtPrivateKey, jwtPublicKey,
 * cookieKeys, stripeWebhookSecret, generated }. The public key is derived from the private one.
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
  const jwtPrivateKey = `${await secret('jwt-private.pem', 'JWT key pair (ES256)', () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .trim(),
  )}\n`;
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
  return { jwtPrivateKey, jwtPublicKey, cookieKeys, stripeWebhookSecret, generated };
}
