/**
 * The Secrets Glotixz reads, by name and key: the one list that infra/scripts/dev-secrets.mjs
 * (dev clusters), infra/scripts/seal.mjs (SealedSecrets for staging and production), the
 * templates in infra/sealed-secrets/templates/ and the manifest checks all follow.
 *
 * Values are generated once and kept in a state file outside git (under .data/), so running a
 * script again yields the same values: a Postgres volume keeps the password it was created with.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const NAMESPACE = 'glotixz';

/** The services that own a Postgres database (the Secret <service>-postgres). */
const databaseOwners = ['auth', 'tickets', 'orders', 'payments', 'notifications'];

/** The Service of the CloudNativePG Pooler the services connect through in staging and production. */
export const POOLER_SERVICE = 'postgres-pooler';

/**
 * Every Secret: its name, what it is for, its keys and its type (Opaque unless given). A key
 * marked optional may be absent.
 * @type {{ name: string, description: string, type?: string, keys: { name: string, optional?: boolean }[] }[]}
 */
export const SECRETS = [
  {
    name: 'session-keys',
    description: 'every service: the session cookie keys and the public key tokens are verified with',
    keys: [{ name: 'COOKIE_KEYS' }, { name: 'JWT_PUBLIC_KEY' }],
  },
  {
    name: 'auth-jwt',
    description: 'auth only: the ES256 private key tokens are signed with',
    keys: [{ name: 'JWT_PRIVATE_KEY' }],
  },
  {
    name: 'orders-eticket',
    description: 'orders only: the ES256 private key e-tickets are signed with, and its key id',
    keys: [{ name: 'ETICKET_SIGNING_KEY' }, { name: 'ETICKET_KEY_ID' }],
  },
  {
    name: 'tickets-eticket',
    description: 'tickets: the JWKS of the public keys e-tickets are verified with at the door',
    keys: [{ name: 'ETICKET_PUBLIC_KEYS' }],
  },
  ...databaseOwners.map((service) => ({
    name: `${service}-postgres`,
    description: `${service} and its Postgres: the database password, and the URL ${service} connects with`,
    keys: [{ name: 'POSTGRES_PASSWORD' }, { name: 'DATABASE_URL' }],
  })),
  // CloudNativePG reads a role's login from a basic-auth Secret (staging, production).
  ...databaseOwners.map((service) => ({
    name: `${service}-postgres-role`,
    description: `the CloudNativePG Cluster: the login of ${service}'s role (the password of ${service}-postgres)`,
    type: 'kubernetes.io/basic-auth',
    keys: [{ name: 'username' }, { name: 'password' }],
  })),
  {
    name: 'postgres-backup',
    description:
      'the CloudNativePG Cluster: the object storage key its backups and WAL archive are written with',
    keys: [{ name: 'ACCESS_KEY_ID' }, { name: 'ACCESS_SECRET_KEY' }],
  },
  {
    name: 'redis-auth',
    description: 'Redis and expiration: the Redis password, and the URL expiration connects with',
    keys: [{ name: 'REDIS_PASSWORD' }, { name: 'REDIS_URL' }],
  },
  {
    name: 'payments-stripe',
    description:
      "payments: the Stripe API key and the webhook endpoints' signing secrets (the Connect one and the publishable key optional)",
    keys: [
      { name: 'STRIPE_SECRET_KEY' },
      { name: 'STRIPE_WEBHOOK_SECRET' },
      { name: 'STRIPE_CONNECT_WEBHOOK_SECRET', optional: true },
      { name: 'STRIPE_PUBLISHABLE_KEY', optional: true },
    ],
  },
  {
    name: 'notifications-smtp',
    description: 'notifications: the SMTP server it sends mail through (smtps://user:password@host:465)',
    keys: [{ name: 'SMTP_URL' }],
  },
];

const password = () => randomBytes(24).toString('hex');
const cookieKey = () => randomBytes(32).toString('base64url');

/** A fresh ES256 (P-256) key pair as PEM. */
export function generateJwtKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKey, publicKey };
}

/** The JWKS (RFC 7517) of a PEM public key, with its RFC 7638 thumbprint as `kid`. */
export function jwksOf(publicKeyPem) {
  const { crv, kty, x, y } = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  if (kty !== 'EC' || crv !== 'P-256') throw new Error('the token key must be an EC P-256 key (ES256)');
  const kid = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
  return { keys: [{ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' }] };
}

/**
 * The e-ticket keys of a completed state: orders signs with the newest under its thumbprint as
 * kid; tickets verifies with it and the one it replaced (tickets printed before a rotation still
 * admit).
 */
export function eticketKeys(state) {
  const publicPem = (pem) => createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
  const [current] = jwksOf(publicPem(state.eticketPrivateKey)).keys;
  const previous = state.eticketRetiredKey ? jwksOf(publicPem(state.eticketRetiredKey)).keys : [];
  return {
    signingKey: state.eticketPrivateKey,
    keyId: current.kid,
    publicKeys: JSON.stringify({ keys: [current, ...previous] }),
  };
}

/**
 * The generated material of one environment, completed where missing:
 * `{ jwtPrivateKey, jwtPublicKey, eticketPrivateKey, eticketRetiredKey?, cookieKeys[],
 * passwords: { <secret>: string }, stripe: {...}, smtpUrl, backup: { accessKeyId, secretAccessKey } }`.
 * @param {object} state what a previous run kept (or {})
 * @param {{ stripe?: { secretKey?: string, webhookSecret?: string, connectWebhookSecret?: string,
 *   publishableKey?: string },
 *   smtpUrl?: string, backup?: { accessKeyId?: string, secretAccessKey?: string },
 *   rotate?: ('jwt' | 'cookie-keys' | 'eticket')[] }} options
 */
export function completeState(state, options = {}) {
  const next = structuredClone(state);
  const rotate = new Set(options.rotate ?? []);
  if (!next.jwtPrivateKey || rotate.has('jwt')) {
    const keys = generateJwtKeys();
    next.jwtPrivateKey = keys.privateKey;
  }
  next.jwtPublicKey = createPublicKey(next.jwtPrivateKey).export({ type: 'spki', format: 'pem' }).toString();
  if (next.eticketPrivateKey && rotate.has('eticket')) next.eticketRetiredKey = next.eticketPrivateKey;
  if (!next.eticketPrivateKey || rotate.has('eticket')) next.eticketPrivateKey = generateJwtKeys().privateKey;
  next.cookieKeys ??= [cookieKey(), cookieKey()];
  if (rotate.has('cookie-keys')) next.cookieKeys = [cookieKey(), ...next.cookieKeys].slice(0, 3);
  next.passwords ??= {};
  for (const owner of [...databaseOwners.map((s) => `${s}-postgres`), 'redis-auth']) {
    next.passwords[owner] ??= password();
  }
  next.stripe = { ...(next.stripe ?? {}) };
  for (const [field, value] of Object.entries(options.stripe ?? {})) {
    if (value) next.stripe[field] = value;
  }
  if (options.smtpUrl) next.smtpUrl = options.smtpUrl;
  next.backup = { ...(next.backup ?? {}) };
  for (const [field, value] of Object.entries(options.backup ?? {})) {
    if (value) next.backup[field] = value;
  }
  return next;
}

/**
 * The data of every Secret (name → key → value) from a completed state. `environment`: dev
 * connects each service to its own Postgres StatefulSet, staging and production to the pooler.
 */
export function secretData(state, environment = 'dev') {
  const eticket = eticketKeys(state);
  const data = {
    'session-keys': { COOKIE_KEYS: state.cookieKeys.join(','), JWT_PUBLIC_KEY: state.jwtPublicKey },
    'auth-jwt': { JWT_PRIVATE_KEY: state.jwtPrivateKey },
    'orders-eticket': { ETICKET_SIGNING_KEY: eticket.signingKey, ETICKET_KEY_ID: eticket.keyId },
    'tickets-eticket': { ETICKET_PUBLIC_KEYS: eticket.publicKeys },
    'redis-auth': {
      REDIS_PASSWORD: state.passwords['redis-auth'],
      REDIS_URL: `redis://:${state.passwords['redis-auth']}@redis:6379`,
    },
    'payments-stripe': {
      STRIPE_SECRET_KEY: state.stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: state.stripe.webhookSecret,
      ...(state.stripe.connectWebhookSecret
        ? { STRIPE_CONNECT_WEBHOOK_SECRET: state.stripe.connectWebhookSecret }
        : {}),
      ...(state.stripe.publishableKey ? { STRIPE_PUBLISHABLE_KEY: state.stripe.publishableKey } : {}),
    },
    'notifications-smtp': { SMTP_URL: state.smtpUrl },
    'postgres-backup': {
      ACCESS_KEY_ID: state.backup?.accessKeyId,
      ACCESS_SECRET_KEY: state.backup?.secretAccessKey,
    },
  };
  for (const service of databaseOwners) {
    const pw = state.passwords[`${service}-postgres`];
    const host = environment === 'dev' ? `${service}-postgres` : POOLER_SERVICE;
    data[`${service}-postgres`] = {
      POSTGRES_PASSWORD: pw,
      DATABASE_URL: `postgres://${service}:${pw}@${host}:5432/${service}`,
    };
    data[`${service}-postgres-role`] = { username: service, password: pw };
  }
  for (const secret of SECRETS) {
    for (const key of secret.keys) {
      if (!key.optional && !data[secret.name]?.[key.name]) {
        throw new Error(`no value for ${secret.name}/${key.name}`);
      }
    }
  }
  return data;
}

/** The type of a Secret of the spec. */
export function secretType(name) {
  return SECRETS.find((s) => s.name === name)?.type ?? 'Opaque';
}

/** A Kubernetes Secret manifest. */
export function secretManifest(name, data) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'glotixz' } },
    type: secretType(name),
    stringData: data,
  };
}

/** Reads a state file, or {} when there is none. */
export function readState(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

/** Writes a state file readable by its owner only. */
export function writeState(file, state) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}
