/**
 * What the checks compare the manifests with: the services of the launch spec, the routes table,
 * skaffold's artifacts, the Secret spec of infra/scripts/lib/secrets.mjs (both read through node,
 * as jest cannot load ES modules) and the values infra/scripts/dev-secrets.mjs generates.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RoutesTable, SecretCatalog } from './checks';
import { INFRA, parseManifests, readYaml, ROOT, type Loose } from './manifests';

/**
 * The Glotixz services (their workspace names), read from the launch spec, `scripts/services.mjs`,
 * so a service added there is checked here too; through node, as jest cannot load ES modules.
 */
export const SERVICES: readonly string[] = JSON.parse(
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { services } from ${JSON.stringify(path.join(ROOT, 'scripts', 'services.mjs'))};
       process.stdout.write(JSON.stringify(services.map((s) => s.workspace ?? s.name)));`,
    ],
    { encoding: 'utf8' },
  ),
) as string[];
/** The services and the web client: every workload with an image. */
export const WORKLOADS: readonly string[] = [...SERVICES, 'client'];

export function routesTable(): RoutesTable {
  return JSON.parse(readFileSync(path.join(INFRA, 'routes.json'), 'utf8')) as RoutesTable;
}

export function skaffold(): Loose {
  return readYaml(path.join(ROOT, 'skaffold.yaml'));
}

/** The images skaffold builds. */
export function skaffoldArtifacts(): string[] {
  return ((skaffold().build?.artifacts as Loose[]) ?? []).map((a) => String(a.image));
}

export interface SecretSpec {
  name: string;
  description: string;
  type?: string;
  keys: { name: string; optional?: boolean }[];
}

let spec: SecretSpec[] | undefined;
/** infra/scripts/lib/secrets.mjs SECRETS. */
export function secretSpec(): SecretSpec[] {
  spec ??= JSON.parse(
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { SECRETS } from ${JSON.stringify(path.join(INFRA, 'scripts', 'lib', 'secrets.mjs'))};
         process.stdout.write(JSON.stringify(SECRETS));`,
      ],
      { encoding: 'utf8' },
    ),
  ) as SecretSpec[];
  return spec;
}

/** The spec as the reference check wants it. */
export function secretCatalog(from: SecretSpec[] = secretSpec()): SecretCatalog {
  return Object.fromEntries(
    from.map((s) => [
      s.name,
      { keys: s.keys.map((k) => k.name), optional: s.keys.filter((k) => k.optional).map((k) => k.name) },
    ]),
  );
}

/** Runs an infra script with node in a scratch state directory; returns stdout. */
export function runScript(script: string, args: string[], env: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'glotixz-infra-state-'));
  try {
    return execFileSync(
      process.execPath,
      [path.join(INFRA, 'scripts', script), ...args, '--state', path.join(dir, 'state.json')],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          STRIPE_SECRET_KEY: '',
          STRIPE_WEBHOOK_SECRET: '',
          STRIPE_CONNECT_WEBHOOK_SECRET: '',
          STRIPE_PUBLISHABLE_KEY: '',
          SMTP_URL: '',
          BACKUP_ACCESS_KEY_ID: '',
          BACKUP_SECRET_ACCESS_KEY: '',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Secrets dev-secrets.mjs creates (fresh values), name → key → value. */
export function devSecretData(env: Record<string, string> = {}): Record<string, Record<string, string>> {
  const objects = parseManifests(runScript('dev-secrets.mjs', ['--print'], env), 'dev-secrets.mjs --print');
  return Object.fromEntries(
    objects
      .filter((o) => o.kind === 'Secret')
      .map((o) => [o.metadata.name, o.stringData as Record<string, string>]),
  );
}

/**
 * The Secrets seal.mjs seals for `environment` (fresh values; Stripe, SMTP and backup keys made
 * up), name → key → value: the same spec and values, without kubectl or kubeseal.
 */
export function sealedSecretData(
  environment: 'staging' | 'production',
): Record<string, Record<string, string>> {
  return JSON.parse(
    execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { completeState, secretData } from ${JSON.stringify(path.join(INFRA, 'scripts', 'lib', 'secrets.mjs'))};
         const state = completeState({}, {
           stripe: { secretKey: 'sk_test_x', webhookSecret: 'whsec_x', connectWebhookSecret: 'whsec_c', publishableKey: 'pk_test_x' },
           smtpUrl: 'smtps://mailer:secret@smtp.example.com:465',
           backup: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'example' },
         });
         process.stdout.write(JSON.stringify(secretData(state, ${JSON.stringify(environment)})));`,
      ],
      { encoding: 'utf8' },
    ),
  ) as Record<string, Record<string, string>>;
}
