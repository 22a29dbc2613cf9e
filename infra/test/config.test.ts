import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  buildOverlay,
  coreServices,
  get,
  isKnativeService,
  operatorServices,
  OVERLAYS,
  ROOT,
  type K8sObject,
  type Loose,
} from './lib/manifests';
import { devSecretData, sealedSecretData, SERVICES, WORKLOADS } from './lib/repo';

interface ConfigModule {
  configSchema: {
    safeParse(env: unknown): {
      success: boolean;
      error?: { issues: { path: PropertyKey[]; message: string }[] };
    };
  };
}

/** The services whose configuration schema exists in this checkout. */
const withConfig = SERVICES.filter((s) => existsSync(path.join(ROOT, s, 'src', 'config.ts')));

/** The environment a workload's container gets: ConfigMaps as written, Secrets from dev-secrets. */
function containerEnv(
  objects: K8sObject[],
  workload: string,
  secrets: Record<string, Record<string, string>>,
) {
  const owner = objects.find(
    (o) => o.metadata.name === workload && (o.kind === 'Deployment' || isKnativeService(o)),
  );
  if (!owner) throw new Error(`no Deployment or Knative Service ${workload}`);
  const container = owner.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const from of (container.envFrom as Loose[]) ?? []) {
    if (from.configMapRef) Object.assign(env, get(objects, 'ConfigMap', from.configMapRef.name).data);
    if (from.secretRef) Object.assign(env, secrets[from.secretRef.name]);
  }
  for (const e of (container.env as Loose[]) ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const cm = e.valueFrom?.configMapKeyRef;
    const secret = e.valueFrom?.secretKeyRef;
    if (cm) env[e.name] = get(objects, 'ConfigMap', cm.name).data[cm.key];
    if (secret && secrets[secret.name]?.[secret.key] !== undefined)
      env[e.name] = secrets[secret.name]![secret.key]!;
  }
  return env;
}

/** The keys a zod object schema knows (through a transform, if any). */
function schemaKeys(schema: Loose): string[] | undefined {
  const shape = schema?.shape ?? schema?.in?.shape ?? schema?._def?.in?.shape ?? schema?._def?.schema?.shape;
  return shape ? Object.keys(shape) : undefined;
}

describe('service configuration', () => {
  it('covers every service workspace with a config schema', () => {
    expect(withConfig).toEqual(
      expect.arrayContaining(['auth', 'tickets', 'orders', 'expiration', 'notifications']),
    );
  });

  describe.each(OVERLAYS)('%s', (overlay) => {
    const objects = buildOverlay(overlay);
    const secrets =
      overlay === 'dev'
        ? devSecretData({ STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_PUBLISHABLE_KEY: 'pk_test_x' })
        : sealedSecretData(overlay);

    it.each(withConfig)('%s: the Deployment environment satisfies the service config schema', (service) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { configSchema } = require(path.join(ROOT, service, 'src', 'config')) as ConfigModule;
      const env = containerEnv(objects, service, secrets);
      const result = configSchema.safeParse(env);
      const issues =
        result.error?.issues.map(
          (i: { path: PropertyKey[]; message: string }) => `${i.path.join('.')}: ${i.message}`,
        ) ?? [];
      expect(issues).toEqual([]);
      const known = schemaKeys(configSchema as Loose);
      if (known) expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
    });

    it.each(WORKLOADS)('%s: every URL it is given points at a Service here with that port', (workload) => {
      const env = containerEnv(objects, workload, secrets);
      // Outside the cluster: the public origin links point at, and the SMTP relay mail goes through.
      const external = ['STRIPE_API_BASE', 'PUBLIC_URL', 'SMTP_URL'];
      for (const [name, value] of Object.entries(env).filter(
        ([k]) => /_URL$/.test(k) && !external.includes(k),
      )) {
        const url = new URL(value);
        const svc = [...coreServices(objects), ...operatorServices(objects)].find(
          (s) => s.metadata.name === url.hostname.split('.')[0],
        );
        const ports = ((svc?.spec.ports as Loose[]) ?? []).map((p) => String(p.port));
        expect([name, url.hostname, ports]).toEqual([name, url.hostname, expect.arrayContaining([url.port])]);
      }
    });
  });
});
