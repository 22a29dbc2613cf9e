import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allBuilds, INFRA, listFiles, readManifests, ROOT } from './lib/manifests';
import { cnpgSecretRefs } from './lib/checks';
import { devSecretData, runScript, sealedSecretData, secretSpec } from './lib/repo';

const templates = listFiles(path.join(INFRA, 'sealed-secrets', 'templates')).flatMap(readManifests);

describe('secrets', () => {
  it('has one SealedSecret template per Secret of the spec, with its keys', () => {
    const fromTemplates = templates.map((t) => [
      t.metadata.name,
      Object.keys(t.spec.encryptedData as object),
    ]);
    const fromSpec = secretSpec().map((s) => [s.name, s.keys.map((k) => k.name)]);
    expect(fromTemplates.sort()).toEqual(fromSpec.sort());
    for (const t of templates)
      expect([t.metadata.namespace, t.spec.template.metadata.name]).toEqual(['glotixz', t.metadata.name]);
    const types = Object.fromEntries(secretSpec().map((s) => [s.name, s.type ?? 'Opaque']));
    for (const t of templates)
      expect([t.metadata.name, t.spec.template.type]).toEqual([t.metadata.name, types[t.metadata.name]]);
  });

  it('reads every key of every Secret somewhere', () => {
    const read = new Set<string>();
    for (const { objects } of allBuilds())
      for (const text of objects.map((o) => JSON.stringify(o)))
        for (const m of text.matchAll(/"secretKeyRef":\{[^}]*\}/g)) {
          const ref = JSON.parse(m[0].slice('"secretKeyRef":'.length));
          read.add(`${ref.name}/${ref.key}`);
        }
    // CloudNativePG reads role logins and backup keys by Secret name, not through a secretKeyRef.
    for (const { objects } of allBuilds())
      for (const ref of cnpgSecretRefs(objects)) for (const key of ref.keys) read.add(`${ref.name}/${key}`);
    const declared = secretSpec().flatMap((s) => s.keys.map((k) => `${s.name}/${k.name}`));
    expect(declared.filter((k) => !read.has(k))).toEqual([]);
  });

  it('lets dev-secrets.mjs create every Secret with every key', () => {
    const data = devSecretData({ STRIPE_PUBLISHABLE_KEY: 'pk_test_x' });
    expect(
      Object.entries(data)
        .map(([n, d]) => [n, Object.keys(d).sort()])
        .sort(),
    ).toEqual(
      secretSpec()
        .map((s) => [s.name, s.keys.map((k) => k.name).sort()])
        .sort(),
    );
  });

  it('gives orders an e-ticket signing key whose public part tickets verifies with, under the same kid', () => {
    const data = devSecretData({ STRIPE_PUBLISHABLE_KEY: 'pk_test_x' });
    const signing = data['orders-eticket'];
    const verifying = data['tickets-eticket'];
    if (!signing || !verifying) throw new Error('no e-ticket secrets');
    const key = createPrivateKey(signing.ETICKET_SIGNING_KEY ?? '');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const jwks = JSON.parse(verifying.ETICKET_PUBLIC_KEYS ?? '') as { keys: Record<string, string>[] };
    const [jwk] = jwks.keys;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: signing.ETICKET_KEY_ID, alg: 'ES256' });
    expect(jwk).not.toHaveProperty('d');
    expect(createPublicKey(key).export({ format: 'jwk' })).toMatchObject({ x: jwk?.x, y: jwk?.y });
  });

  it('lets seal.mjs print one kubectl | kubeseal command per Secret, naming every key', () => {
    const out = runScript('seal.mjs', ['production', '--dry-run'], {
      STRIPE_SECRET_KEY: 'sk_live_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      STRIPE_CONNECT_WEBHOOK_SECRET: 'whsec_connect_x',
      STRIPE_PUBLISHABLE_KEY: 'pk_live_x',
      SMTP_URL: 'smtps://mailer:secret@smtp.example.com:465',
      BACKUP_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      BACKUP_SECRET_ACCESS_KEY: 'example',
    });
    const commands = out.split('\n').filter((l) => l.startsWith('kubectl create secret generic'));
    expect(commands).toHaveLength(secretSpec().length);
    for (const secret of secretSpec()) {
      const command = commands.find((c) => c.startsWith(`kubectl create secret generic ${secret.name} `));
      expect(command).toMatch(
        /\| kubeseal --format yaml --scope strict .*> infra\/sealed-secrets\/production\//,
      );
      for (const key of secret.keys) expect(command).toContain(`--from-file=${key.name}=`);
      if (secret.type) expect(command).toContain(` --type ${secret.type} `);
      else expect(command).not.toContain(' --type ');
    }
  });

  it('seals payments-stripe without the Connect webhook secret when none is given', () => {
    const out = runScript('seal.mjs', ['staging', '--dry-run'], {
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
      SMTP_URL: 'smtps://mailer:secret@smtp.example.com:465',
      BACKUP_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      BACKUP_SECRET_ACCESS_KEY: 'example',
    });
    const command = out
      .split('\n')
      .find((line) => line.startsWith('kubectl create secret generic payments-stripe '));
    expect(command).toContain('--from-file=STRIPE_WEBHOOK_SECRET=');
    expect(command).not.toContain('STRIPE_CONNECT_WEBHOOK_SECRET');
  });

  it('refuses to seal without the backup bucket key the first time', () => {
    expect(() =>
      runScript('seal.mjs', ['staging', '--dry-run'], {
        STRIPE_SECRET_KEY: 'sk_test_x',
        STRIPE_WEBHOOK_SECRET: 'whsec_x',
        SMTP_URL: 'smtps://mailer:secret@smtp.example.com:465',
      }),
    ).toThrow(/BACKUP_ACCESS_KEY_ID/);
  });

  it.each(['staging', 'production'] as const)(
    '%s: gives each role the password of its DATABASE_URL, which reaches its database through the pooler',
    (environment) => {
      const data = sealedSecretData(environment);
      for (const service of ['auth', 'tickets', 'orders', 'payments', 'notifications']) {
        const url = new URL(data[`${service}-postgres`]!.DATABASE_URL!);
        const role = data[`${service}-postgres-role`]!;
        expect([url.username, url.password, url.hostname, url.port, url.pathname]).toEqual([
          service,
          role.password,
          'postgres-pooler',
          '5432',
          `/${service}`,
        ]);
        expect(role.username).toBe(service);
      }
    },
  );

  it('keeps every secret out of git: no Secret objects, private keys or live Stripe keys under infra/', () => {
    const files = [
      ...listFiles(INFRA).filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`)),
      path.join(ROOT, 'skaffold.yaml'),
      path.join(ROOT, 'okteto.yml'),
    ];
    const leaks: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const rel = path.relative(ROOT, file);
      if (/-----BEGIN (EC |RSA |ENCRYPTED )?PRIVATE KEY-----/.test(text)) leaks.push(`${rel}: a private key`);
      if (/\b(sk|rk)_live_[A-Za-z0-9]{8,}/.test(text)) leaks.push(`${rel}: a live Stripe key`);
      if (/\.ya?ml$/.test(file) && /^kind:\s*Secret\s*$/m.test(text)) leaks.push(`${rel}: a plain Secret`);
    }
    expect(leaks).toEqual([]);
  });

  it('holds only SealedSecrets in the environment folders', () => {
    for (const env of ['staging', 'production']) {
      const files = listFiles(path.join(INFRA, 'sealed-secrets', env)).filter((f) => /\.ya?ml$/.test(f));
      for (const object of files.flatMap(readManifests)) {
        expect([object.kind, object.metadata.namespace]).toEqual(['SealedSecret', 'glotixz']);
        expect(secretSpec().map((s) => s.name)).toContain(object.metadata.name);
      }
    }
  });
});
