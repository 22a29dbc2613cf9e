/**
 * Step (d) of the bootstrap: development secrets, generated once into .data/keys/ (gitignored)
 * and reused afterwards: an ES256 (P-256) JWT key pair as PEM, random cookie-session keys and a
 * placeholder Stripe webhook secret. Never use these outside a developer machine or CI.
 */
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const FILES = {
  jwtPrivateKey: 'jwt-private.pem',
  jwtPublicKey: 'jwt-public.pem',
  cookieKeys: 'cookie-keys',
  stripeWebhookSecret: 'stripe-webhook-secret',
};

async function readIfPresent(file) {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
}

async function writeSecret(file, content) {
  await writeFile(file, content, { mode: 0o600 });
  await chmod(file, 0o600);
}

/**
 * Loads the development keys from `dir`, generating whatever is missing. The public key is always
 * derived from the private one, so the pair cannot drift apart.
 * @returns {Promise<{ jwtPrivateKey: string, jwtPublicKey: string, cookieKeys: string[],
 *   stripeWebhookSecret: string, generated: string[] }>}
 */
export async function ensureDevKeys(dir) {
  await mkdir(dirname(dir), { recursive: true });
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o700);
  const path = (name) => join(dir, FILES[name]);
  const generated = [];

  let jwtPrivateKey = await readIfPresent(path('jwtPrivateKey'));
  if (!jwtPrivateKey) {
    ({ privateKey: jwtPrivateKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }));
    await writeSecret(path('jwtPrivateKey'), jwtPrivateKey);
    generated.push('JWT key pair (ES256)');
  }
  const jwtPublicKey = createPublicKey(jwtPrivateKey).export({ type: 'spki', format: 'pem' }).toString();
  if ((await readIfPresent(path('jwtPublicKey'))) !== jwtPublicKey) {
    await writeFile(path('jwtPublicKey'), jwtPublicKey, { mode: 0o644 });
  }

  let cookieKeys = (await readIfPresent(path('cookieKeys')))?.split('\n').filter(Boolean) ?? [];
  if (cookieKeys.length === 0) {
    cookieKeys = [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')];
    await writeSecret(path('cookieKeys'), cookieKeys.join('\n') + '\n');
    generated.push('cookie keys');
  }

  let stripeWebhookSecret = (await readIfPresent(path('stripeWebhookSecret')))?.trim();
  if (!stripeWebhookSecret) {
    stripeWebhookSecret = `whsec_${randomBytes(24).toString('hex')}`;
    await writeSecret(path('stripeWebhookSecret'), stripeWebhookSecret + '\n');
    generated.push('Stripe webhook secret');
  }

  return { jwtPrivateKey, jwtPublicKey, cookieKeys, stripeWebhookSecret, generated };
}
