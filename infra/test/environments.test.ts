import path from 'node:path';
import {
  buildOverlay,
  get,
  isKnativeService,
  ofKind,
  operatorPods,
  podTemplates,
  ROOT,
  selects,
  type Loose,
} from './lib/manifests';
import { parseImage } from './lib/checks';
import { SERVICES } from './lib/repo';

// Who consumes what and the durable names, from common's sources (read like config.test.ts reads
// the services' config: infra does not depend on common).
/* eslint-disable @typescript-eslint/no-require-imports */
const { eventCatalog } = require(path.join(ROOT, 'common', 'src', 'events', 'event-catalog')) as {
  eventCatalog: { subject: string; stream: string; consumers: readonly string[] }[];
};
const { durableNameFor } = require(path.join(ROOT, 'common', 'src', 'bus', 'declared-consumer')) as {
  durableNameFor: (service: string, subject: string) => string;
};
/* eslint-enable @typescript-eslint/no-require-imports */

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

  it('scales every service with exactly one HPA or KEDA ScaledObject and leaves replica counts to it', () => {
    const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
    const scaled = ofKind(objects, 'ScaledObject');
    // A ScaledObject makes its own HPA: one Deployment under both would have two HPAs fighting.
    expect(
      [
        ...hpas.map((h) => h.spec.scaleTargetRef.name),
        ...scaled.map((s) => s.spec.scaleTargetRef.name),
      ].sort(),
    ).toEqual([...SERVICES].sort());
    for (const h of hpas) expect(h.spec.minReplicas).toBeGreaterThanOrEqual(2);
    for (const s of scaled) expect(s.spec.minReplicaCount).toBeGreaterThanOrEqual(2);
    expect(
      ofKind(objects, 'Deployment')
        .filter((d) => d.spec.replicas !== undefined)
        .map((d) => d.metadata.name),
    ).toEqual([]);
  });

  it('scales the event-heavy services on the lag of every durable consumer they have, and on CPU', () => {
    const scaled = ofKind(objects, 'ScaledObject');
    expect(scaled.map((s) => s.metadata.name).sort()).toEqual(
      ['notifications', 'orders', 'payments', 'tickets'].sort(),
    );
    const headless = get(objects, 'StatefulSet', 'nats').spec.serviceName as string;
    for (const so of scaled) {
      const service = so.spec.scaleTargetRef.name as string;
      // session.revoked is read by an ordered consumer in every process: no durable, no lag.
      const durables = eventCatalog
        .filter((e) => e.subject !== 'session.revoked' && e.consumers.includes(service))
        .map((e) => `${e.stream} ${durableNameFor(service, e.subject)}`);
      const triggers = so.spec.triggers as Loose[];
      const lag = triggers.filter((t) => t.type === 'nats-jetstream');
      expect([service, lag.map((t) => `${t.metadata.stream} ${t.metadata.consumer}`).sort()]).toEqual([
        service,
        durables.sort(),
      ]);
      for (const t of lag) {
        // On a cluster KEDA asks the consumer's leader at <server name>.<endpoint>: the headless
        // Service, whose pod names are the server names.
        expect(t.metadata.natsServerMonitoringEndpoint).toBe(`${headless}.glotixz.svc.cluster.local:8222`);
        expect(Number(t.metadata.lagThreshold)).toBeGreaterThan(0);
      }
      expect(triggers.find((t) => t.type === 'cpu')?.metadata.value).toBe('70');
    }
    const conf = String(
      get(
        objects,
        'ConfigMap',
        get(objects, 'StatefulSet', 'nats').spec.template.spec.volumes[0].configMap.name,
      ).data['nats.conf'],
    );
    expect(conf).toMatch(/^server_name: \$POD_NAME$/m);
  });

  it('lets KEDA reach the NATS monitoring port, and nothing else of NATS', () => {
    const rules = get(objects, 'AuthorizationPolicy', 'nats').spec.rules as Loose[];
    const keda = rules.filter((r) =>
      r.from?.[0]?.source?.principals?.includes('cluster.local/ns/keda/sa/keda-operator'),
    );
    expect(keda.map((r) => r.to?.[0]?.operation?.ports)).toEqual([['8222']]);
    const ingress = get(objects, 'NetworkPolicy', 'nats').spec.ingress as Loose[];
    const fromKeda = ingress.filter((r) =>
      (r.from as Loose[]).some(
        (f) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'keda',
      ),
    );
    expect(fromKeda.map((r) => r.ports.map((p: Loose) => p.port))).toEqual([[8222]]);
  });

  it('keeps two of the three NATS servers (the JetStream quorum) through voluntary disruptions', () => {
    expect(get(objects, 'PodDisruptionBudget', 'nats').spec).toMatchObject({ minAvailable: 2 });
    expect(get(objects, 'PodDisruptionBudget', 'nats').spec.maxUnavailable).toBeUndefined();
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

  it('runs Postgres as one StatefulSet per service in dev, a CloudNativePG Cluster elsewhere', () => {
    expect(ofKind(objects, 'Cluster').length).toBe(overlay === 'dev' ? 0 : 1);
    for (const service of ['auth', 'tickets', 'orders', 'payments', 'notifications'])
      expect([service, ofKind(objects, 'StatefulSet', `${service}-postgres`).length]).toEqual([
        service,
        overlay === 'dev' ? 1 : 0,
      ]);
  });
});

describe('dev Postgres', () => {
  const objects = buildOverlay('dev');

  it('runs one Postgres per database-owning service, each on a volume and kept on prune', () => {
    for (const service of ['auth', 'tickets', 'orders', 'payments', 'notifications']) {
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

describe.each(['staging', 'production'] as const)('CloudNativePG in %s', (overlay) => {
  const objects = buildOverlay(overlay);
  const cluster = get(objects, 'Cluster', 'postgres');
  const owners = ['auth', 'tickets', 'orders', 'payments', 'notifications'];

  it('runs three instances on separate nodes, kept on prune, outside the mesh', () => {
    expect(cluster.spec.instances).toBe(3);
    expect(cluster.spec.affinity).toMatchObject({
      enablePodAntiAffinity: true,
      topologyKey: 'kubernetes.io/hostname',
      podAntiAffinityType: overlay === 'production' ? 'required' : 'preferred',
    });
    expect(cluster.metadata.annotations?.['argocd.argoproj.io/sync-options']).toContain('Prune=false');
    expect(cluster.spec.inheritedMetadata.annotations['sidecar.istio.io/inject']).toBe('false');
    expect(cluster.spec.enableSuperuserAccess).toBe(false);
  });

  it(
    overlay === 'production'
      ? 'replicates synchronously: a commit waits for a second instance'
      : 'replicates asynchronously',
    () => {
      const sync = cluster.spec.postgresql.synchronous;
      if (overlay === 'production')
        expect(sync).toEqual({ method: 'any', number: 1, dataDurability: 'required' });
      else expect(sync).toBeUndefined();
    },
  );

  it('makes one database owned by one role per service, closed to the other roles', () => {
    const { initdb } = cluster.spec.bootstrap;
    const sql = [...initdb.postInitSQL, ...initdb.postInitApplicationSQL] as string[];
    const created = new Map([[initdb.database as string, initdb.owner as string]]);
    for (const s of sql) {
      const m = /^CREATE DATABASE (\w+) OWNER (\w+)$/.exec(s);
      if (m) created.set(m[1]!, m[2]!);
    }
    expect(Object.fromEntries(created)).toEqual(Object.fromEntries(owners.map((o) => [o, o])));
    for (const db of owners) expect(sql).toContain(`REVOKE CONNECT ON DATABASE ${db} FROM PUBLIC`);
    const logins = [
      { name: initdb.owner, secret: initdb.secret.name },
      ...(cluster.spec.managed.roles as Loose[]).map((r) => ({
        name: r.name,
        secret: r.passwordSecret.name,
      })),
    ];
    expect(logins.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      owners
        .map((o) => ({ name: o, secret: `${o}-postgres-role` }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    for (const role of cluster.spec.managed.roles as Loose[])
      expect([role.name, role.ensure, role.login]).toEqual([role.name, 'present', true]);
  });

  it('backs up to object storage: WAL continuously, a base backup every night, this environment apart', () => {
    const store = cluster.spec.backup.barmanObjectStore;
    expect(store.destinationPath).toMatch(new RegExp(`^s3://[a-z0-9.-]+/${overlay}/$`));
    expect(store.s3Credentials.accessKeyId).toEqual({ name: 'postgres-backup', key: 'ACCESS_KEY_ID' });
    expect(store.s3Credentials.secretAccessKey).toEqual({
      name: 'postgres-backup',
      key: 'ACCESS_SECRET_KEY',
    });
    expect(cluster.spec.backup.retentionPolicy).toMatch(/^\d+d$/);
    const [nightly, ...more] = ofKind(objects, 'ScheduledBackup');
    expect(more).toEqual([]);
    expect(nightly!.spec).toMatchObject({ cluster: { name: 'postgres' }, method: 'barmanObjectStore' });
  });

  it('connects every service through a session-mode PgBouncer on the primary, in the mesh', () => {
    const [pooler, ...more] = ofKind(objects, 'Pooler');
    expect(more).toEqual([]);
    expect(pooler!.spec).toMatchObject({ cluster: { name: 'postgres' }, type: 'rw' });
    // The outbox relay LISTENs and migrations hold a session advisory lock.
    expect(pooler!.spec.pgbouncer.poolMode).toBe('session');
    expect(pooler!.spec.instances).toBeGreaterThanOrEqual(2);
    const pods = operatorPods(objects);
    expect(pods.find((p) => p.kind === 'Pooler')?.meshed).toBe(true);
    expect(pods.find((p) => p.kind === 'Cluster')?.meshed).toBe(false);
    for (const service of owners) {
      const ref = (get(objects, 'Deployment', service).spec.template.spec.containers[0].env as Loose[]).find(
        (e) => e.name === 'DATABASE_URL',
      )?.valueFrom?.secretKeyRef;
      expect([service, ref?.name]).toEqual([service, `${service}-postgres`]);
    }
  });

  it('lets the services reach the pooler and only the pooler reach the instances', () => {
    const pooler = { 'cnpg.io/poolerName': 'postgres-pooler' };
    for (const service of owners) {
      const egress = get(objects, 'NetworkPolicy', service).spec.egress as Loose[];
      const toDb = egress.filter((r) => r.ports?.some((p: Loose) => p.port === 5432));
      expect([service, toDb.flatMap((r) => r.to.map((t: Loose) => t.podSelector?.matchLabels))]).toEqual([
        service,
        [pooler],
      ]);
    }
    const poolerIn = (get(objects, 'NetworkPolicy', 'postgres-pooler').spec.ingress as Loose[]).flatMap((r) =>
      r.from.map((f: Loose) => f.podSelector?.matchLabels?.['app.kubernetes.io/name']),
    );
    expect(poolerIn.sort()).toEqual([...owners].sort());
    const instancesIn = (get(objects, 'NetworkPolicy', 'postgres').spec.ingress as Loose[]).filter((r) =>
      r.ports.some((p: Loose) => p.port === 5432),
    );
    expect(instancesIn.flatMap((r) => r.from.map((f: Loose) => f.podSelector?.matchLabels))).toEqual([
      pooler,
      { 'cnpg.io/cluster': 'postgres' },
    ]);
    const policy = get(objects, 'AuthorizationPolicy', 'postgres-pooler');
    expect(policy.spec.rules[0].from[0].source.principals.sort()).toEqual(
      owners.map((o) => `cluster.local/ns/glotixz/sa/${o}`).sort(),
    );
  });
});
