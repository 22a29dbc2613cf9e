#!/usr/bin/env node
/**
 * Creates the Secrets of a dev cluster (infra/k8s/overlays/dev) in the current kubectl context:
 *
 *   node infra/scripts/dev-secrets.mjs            apply them (skaffold runs this before deploying)
 *   node infra/scripts/dev-secrets.mjs --print    print them as a kubectl List instead
 *
 * Values are generated once into .data/k8s-dev/secrets.json (gitignored) and reused, so the
 * Postgres volumes keep working across runs (--state FILE picks another file). Stripe: set
 * STRIPE_SECRET_KEY (a test key, sk_test_...), STRIPE_WEBHOOK_SECRET and
 * STRIPE_CONNECT_WEBHOOK_SECRET (the Connect endpoint's) to reach Stripe's test mode; without them payments starts with placeholders and every call to Stripe fails. SMTP_URL:
 * the SMTP server notifications sends through (default smtp://localhost:1025, where nothing
 * listens in a pod: emails are retried, then kept as dead, until it is set).
 * For development clusters only: these values never leave the machine, nothing is sealed.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  NAMESPACE,
  completeState,
  readState,
  secretData,
  secretManifest,
  writeState,
} from './lib/secrets.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const { values: args } = parseArgs({
  options: {
    print: { type: 'boolean', default: false },
    state: { type: 'string', default: join(root, '.data', 'k8s-dev', 'secrets.json') },
  },
});

const previous = readState(args.state);
const state = completeState(previous, {
  stripe: {
    secretKey:
      process.env.STRIPE_SECRET_KEY ||
      previous.stripe?.secretKey ||
      'sk_test_placeholder_set_STRIPE_SECRET_KEY',
    webhookSecret:
      process.env.STRIPE_WEBHOOK_SECRET ||
      previous.stripe?.webhookSecret ||
      `whsec_${randomBytes(24).toString('hex')}`,
    connectWebhookSecret:
      process.env.STRIPE_CONNECT_WEBHOOK_SECRET ||
      previous.stripe?.connectWebhookSecret ||
      `whsec_${randomBytes(24).toString('hex')}`,
    publishableKey: process.env.STRIPE_PUBLISHABLE_KEY || undefined,
  },
  smtpUrl: process.env.SMTP_URL || previous.smtpUrl || 'smtp://localhost:1025',
  // Dev runs no CloudNativePG (nothing backs up); the Secret exists so every Secret does.
  backup: { accessKeyId: 'unused-in-dev', secretAccessKey: 'unused-in-dev' },
});
writeState(args.state, state);

const list = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    ...Object.entries(secretData(state, 'dev')).map(([name, data]) => secretManifest(name, data)),
  ],
};

if (args.print) {
  process.stdout.write(JSON.stringify(list, null, 2) + '\n');
} else {
  const result = spawnSync('kubectl', ['apply', '-f', '-'], {
    input: JSON.stringify(list),
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  if (result.error) throw result.error;
  process.exitCode = result.status ?? 1;
}
