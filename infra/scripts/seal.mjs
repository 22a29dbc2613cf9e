#!/usr/bin/env node
/**
 * Seals the Secrets of staging or production into infra/sealed-secrets/<env>/ (safe to commit:
 * only the cluster's sealed-secrets controller can decrypt them) and writes the matching public
 * JWKS to infra/k8s/overlays/<env>/jwks.json.
 *
 *   STRIPE_SECRET_KEY=sk_live_... STRIPE_WEBHOOK_SECRET=whsec_... STRIPE_CONNECT_WEBHOOK_SECRET=whsec_... \
 *   SMTP_URL=smtps://user:pass@smtp.example.com:465 \
 *   BACKUP_ACCESS_KEY_ID=... BACKUP_SECRET_ACCESS_KEY=... \
 *     node infra/scripts/seal.mjs production [--cert pub-cert.pem] [--rotate cookie-keys|jwt|eticket] [--dry-run]
 *
 * Every Secret is produced with the same two commands, printed as they run:
 *
 *   kubectl create secret generic NAME --namespace glotixz [--type TYPE] --dry-run=client --output json \
 *     --from-file=KEY=<file> ... \
 *   | kubeseal --format yaml --scope strict --controller-namespace kube-system \
 *     --controller-name sealed-secrets-controller [--cert CERT] > infra/sealed-secrets/<env>/NAME.yaml
 *
 * The plain values (generated passwords, cookie keys, the token key pair, the Stripe keys given)
 * are kept in .data/secrets/<env>.json (mode 600, gitignored) so a reseal keeps them; store that
 * file in your password manager and delete it from the workstation if you prefer (--state FILE).
 * --rotate cookie-keys puts a new signing key first and keeps the two before it for verifying;
 * --rotate jwt makes a new token key pair (every signed-in user signs in again);
 * --rotate eticket makes a new e-ticket signing key, tickets still verifying the one before it
 * (e-tickets already issued keep admitting).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  NAMESPACE,
  completeState,
  jwksOf,
  readState,
  secretData,
  secretType,
  writeState,
} from './lib/secrets.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    cert: { type: 'string' },
    state: { type: 'string' },
    rotate: { type: 'string', multiple: true, default: [] },
    'dry-run': { type: 'boolean', default: false },
  },
});
const [env] = positionals;
if (env !== 'staging' && env !== 'production') {
  console.error(
    'usage: node infra/scripts/seal.mjs <staging|production> [--cert FILE] [--rotate cookie-keys|jwt|eticket] [--dry-run]',
  );
  process.exit(2);
}
for (const r of args.rotate) {
  if (r !== 'cookie-keys' && r !== 'jwt' && r !== 'eticket') {
    throw new Error(`--rotate takes cookie-keys, jwt or eticket, not ${r}`);
  }
}

const stateFile = args.state ?? join(root, '.data', 'secrets', `${env}.json`);
const state = completeState(readState(stateFile), {
  rotate: args.rotate,
  stripe: {
    secretKey: process.env.STRIPE_SECRET_KEY,
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET,
    connectWebhookSecret: process.env.STRIPE_CONNECT_WEBHOOK_SECRET,
    publishableKey: process.env.STRIPE_PUBLISHABLE_KEY,
  },
  smtpUrl: process.env.SMTP_URL,
  backup: {
    accessKeyId: process.env.BACKUP_ACCESS_KEY_ID,
    secretAccessKey: process.env.BACKUP_SECRET_ACCESS_KEY,
  },
});
if (!state.stripe.secretKey || !state.stripe.webhookSecret) {
  console.error(
    'set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (from the Stripe dashboard) for the first sealing',
  );
  process.exit(2);
}
if (!state.stripe.connectWebhookSecret) {
  console.warn(
    "STRIPE_CONNECT_WEBHOOK_SECRET is not set: the Connect endpoint's account.updated cannot be verified, so sellers' accounts stay pending",
  );
}
if (!state.smtpUrl) {
  console.error('set SMTP_URL (the SMTP server notifications sends mail through) for the first sealing');
  process.exit(2);
}
if (!state.backup.accessKeyId || !state.backup.secretAccessKey) {
  console.error(
    'set BACKUP_ACCESS_KEY_ID and BACKUP_SECRET_ACCESS_KEY (the object storage key Postgres backups are written with) for the first sealing',
  );
  process.exit(2);
}
const data = secretData(state, env);

const outDir = join(root, 'infra', 'sealed-secrets', env);
const work = mkdtempSync(join(tmpdir(), 'glotixz-seal-'));
try {
  if (!args['dry-run']) {
    writeState(stateFile, state);
    mkdirSync(outDir, { recursive: true });
    const jwksFile = join(root, 'infra', 'k8s', 'overlays', env, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(jwksOf(state.jwtPublicKey)) + '\n');
    console.log(`wrote ${relative(root, jwksFile)}`);
  }
  for (const [name, values] of Object.entries(data)) {
    const files = Object.entries(values).map(([key, value]) => {
      const file = join(work, `${name}.${key}`);
      writeFileSync(file, value, { mode: 0o600 });
      return [key, file];
    });
    const create = [
      'create',
      'secret',
      'generic',
      name,
      '--namespace',
      NAMESPACE,
      ...(secretType(name) === 'Opaque' ? [] : ['--type', secretType(name)]),
      '--dry-run=client',
      '--output',
      'json',
      ...files.map(([key, file]) => `--from-file=${key}=${file}`),
    ];
    const seal = [
      '--format',
      'yaml',
      '--scope',
      'strict',
      '--controller-namespace',
      'kube-system',
      '--controller-name',
      'sealed-secrets-controller',
      ...(args.cert ? ['--cert', args.cert] : []),
    ];
    const target = join(outDir, `${name}.yaml`);
    console.log(`kubectl ${create.join(' ')} | kubeseal ${seal.join(' ')} > ${relative(root, target)}`);
    if (args['dry-run']) continue;
    const secret = spawnSync('kubectl', create, { encoding: 'utf8' });
    if (secret.status !== 0)
      throw new Error(`kubectl create secret ${name} failed: ${secret.stderr ?? secret.error}`);
    const sealed = spawnSync('kubeseal', seal, { input: secret.stdout, encoding: 'utf8' });
    if (sealed.status !== 0) throw new Error(`kubeseal ${name} failed: ${sealed.stderr ?? sealed.error}`);
    writeFileSync(target, sealed.stdout);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (!args['dry-run']) {
  console.log(
    `\nCommit infra/sealed-secrets/${env}/ and infra/k8s/overlays/${env}/jwks.json; ArgoCD applies them.`,
  );
}
