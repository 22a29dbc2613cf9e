import {
  buildOverlay,
  get,
  isKnativeService,
  ofKind,
  podTemplates,
  selects,
  type Loose,
} from './lib/manifests';
import { parseImage } from './lib/checks';
import { SERVICES } from './lib/repo';

const version = (tag: string) => tag.split('-')[0]!.split('.').map(Number);
const atLeast = (tag: string, min: number[]) => {
  const v = version(tag);
  for (let i = 0; i < min.length; i++) if ((v[i] ?? 0) !== min[i]!) return (v[i] ?? 0) > min[i]!;
  return true;
};

describe('dev', () => {
  const objects = buildOverlay('dev');

  it('runs one replica of everything, without mesh or Knative', () => {
    expect(
      podTemplates(objects)
        .filter((p) => p.replicas !== 1)
        .map((p) => p.owner),
    ).toEqual([]);
    expect(objects.filter((o) => /istio|knative/.test(o.apiVersion))).toEqual([]);
  });

  it('uses development cookies so http://localhost works', () => {
    for (const name of [...SERVICES, 'client'])
      expect(get(objects, 'ConfigMap', `${name}-config`).data.NODE_ENV).toBe('development');
  });
});

describe.each(['staging', 'production'] as const)('%s', (overlay) => {
  const objects = buildOverlay(overlay);

  it('runs the client as a Knative Service that scales to zero, and no client Deployment', () => {
    const client = objects.filter(isKnativeService);
    expect(client.map((k) => k.metadata.name)).toEqual(['client']);
    expect(client[0]!.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale']).toBe('0');
    expect(ofKind(objects, 'Deployment', 'client')).toEqual([]);
  });

  it('keeps production cookies and TLS at the edge', () => {
    for (const name of SERVICES)
      expect(get(objects, 'ConfigMap', `${name}-config`).data.NODE_ENV).toBe('production');
    const https = (get(objects, 'Gateway', 'glotixz').spec.servers as Loose[]).find(
      (s) => s.port.protocol === 'HTTPS',
    );
    expect(https?.tls?.credentialName).toBeTruthy();
  });
});

describe('production', () => {
  const objects = buildOverlay('production');

  it('gives every stream as many replicas as there are NATS servers', () => {
    const servers = get(objects, 'StatefulSet', 'nats').spec.replicas as number;
    expect(servers).toBe(3);
    for (const name of ['auth', 'tickets', 'orders', 'payments', 'expiration'])
      expect({
        name,
        replicas: Number(get(objects, 'ConfigMap', `${name}-config`).data.NATS_STREAM_REPLICAS),
      }).toEqual({
        name,
        replicas: servers,
      });
  });

  it('scales every service with an HPA and leaves replica counts to it', () => {
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual([...SERVICES].sort());
    for (const h of hpas) expect(h.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(
      ofKind(objects, 'Deployment')
        .filter((d) => d.spec.replicas !== undefined)
        .map((d) => d.metadata.name),
    ).toEqual([]);
  });

  it('guards every replicated workload with a PDB and spreads it over nodes', () => {
    const pdbs = ofKind(objects, 'PodDisruptionBudget');
    const replicated = podTemplates(objects).filter(
      (p) => p.kind !== 'KnativeService' && (p.replicas ?? 2) > 1,
    );
    expect(replicated.map((p) => p.name).sort()).toEqual([...SERVICES, 'nats'].sort());
    for (const pod of replicated) {
      expect([
        pod.owner,
        pdbs.filter((p) => selects(p.spec.selector.matchLabels, pod.labels)).length,
      ]).toEqual([pod.owner, 1]);
      const anti = pod.spec.affinity?.podAntiAffinity;
      const terms = [
        ...((anti?.requiredDuringSchedulingIgnoredDuringExecution as Loose[]) ?? []),
        ...((anti?.preferredDuringSchedulingIgnoredDuringExecution as Loose[]) ?? []).map(
          (t) => t.podAffinityTerm,
        ),
      ];
      expect([
        pod.owner,
        terms.some(
          (t) =>
            t.topologyKey === 'kubernetes.io/hostname' && selects(t.labelSelector.matchLabels, pod.labels),
        ),
      ]).toEqual([pod.owner, true]);
    }
  });

  it('runs NATS as a cluster of three on three nodes, routed by name', () => {
    const nats = get(objects, 'StatefulSet', 'nats');
    expect(nats.spec.replicas).toBe(3);
    expect(
      nats.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
    ).toHaveLength(1);
    const conf = String(
      get(objects, 'ConfigMap', nats.spec.template.spec.volumes[0].configMap.name).data['nats.conf'],
    );
    const routes = [...conf.matchAll(/nats:\/\/([\w.-]+):6222/g)].map((m) => m[1]);
    expect(routes).toEqual([0, 1, 2].map((i) => `nats-${i}.${nats.spec.serviceName}`));
  });
});

describe.each(['dev', 'staging', 'production'] as const)('data stores in %s', (overlay) => {
  const objects = buildOverlay(overlay);

  it('runs NATS ≥ 2.10.23 with JetStream on a volume and fsync on every write', () => {
    const nats = get(objects, 'StatefulSet', 'nats');
    const { tag } = parseImage(nats.spec.template.spec.containers[0].image);
    expect(atLeast(tag!, [2, 10, 23])).toBe(true);
    const conf = String(
      get(objects, 'ConfigMap', nats.spec.template.spec.volumes[0].configMap.name).data['nats.conf'],
    );
    const jetstream = /jetstream\s*\{([^}]*)\}/.exec(conf)?.[1] ?? '';
    expect(jetstream).toMatch(/^\s*sync_interval:\s*always\s*$/m);
    expect(jetstream).toMatch(/^\s*store_dir:\s*\/data\s*$/m);
    expect(nats.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
  });

  it('runs Redis with AOF on and noeviction, on a volume', () => {
    const redis = get(objects, 'StatefulSet', 'redis');
    const args = (redis.spec.template.spec.containers[0].args as string[]).join(' ');
    expect(args).toContain('--appendonly yes');
    expect(args).toContain('--maxmemory-policy noeviction');
    expect(redis.spec.volumeClaimTemplates).toHaveLength(1);
  });

  it('runs one Postgres per database-owning service, each on a volume and kept on prune', () => {
    for (const service of ['auth', 'tickets', 'orders', 'payments']) {
      const pg = get(objects, 'StatefulSet', `${service}-postgres`);
      const env = Object.fromEntries(
        (pg.spec.template.spec.containers[0].env as Loose[]).map((e) => [e.name, e.value ?? e.valueFrom]),
      );
      expect([env.POSTGRES_DB, env.POSTGRES_USER]).toEqual([service, service]);
      expect(pg.spec.volumeClaimTemplates).toHaveLength(1);
      expect(pg.metadata.annotations?.['argocd.argoproj.io/sync-options']).toContain('Prune=false');
    }
  });
});
