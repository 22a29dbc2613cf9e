import {
  imageProblems,
  meshSecurityProblems,
  podProblems,
  referenceProblems,
  routingProblems,
  selectorProblems,
  serviceProbeProblems,
  servicePortProblems,
} from './lib/checks';
import { buildOverlay, get, type K8sObject } from './lib/manifests';
import { routesTable, secretCatalog, SERVICES, skaffoldArtifacts } from './lib/repo';

/** A copy of the production build with one change applied. */
function broken(change: (objects: K8sObject[]) => void): K8sObject[] {
  const objects = structuredClone(buildOverlay('production'));
  change(objects);
  return objects;
}

describe('the checks fail when a manifest breaks', () => {
  it('a Service selector that matches nothing', () => {
    const objects = broken(
      (o) =>
        (o.find((x) => x.kind === 'Service' && x.metadata.name === 'orders')!.spec.selector[
          'app.kubernetes.io/name'
        ] = 'order'),
    );
    expect(selectorProblems(objects)).toEqual(['Service orders: selector matches no pods']);
  });

  it('a Service port without an Istio protocol name', () => {
    const objects = broken((o) => (get(o, 'Service', 'auth').spec.ports[0].name = 'web'));
    expect(servicePortProblems(objects)).toEqual([
      'Service auth: port web is not named <protocol>[-suffix] (Istio)',
    ]);
  });

  it('a writable root filesystem and a missing readiness probe', () => {
    const objects = broken((o) => {
      const c = get(o, 'Deployment', 'tickets').spec.template.spec.containers[0];
      c.securityContext.readOnlyRootFilesystem = false;
      delete c.readinessProbe;
    });
    expect(podProblems(objects)).toEqual([
      'Deployment tickets container tickets: readOnlyRootFilesystem is not true',
      'Deployment tickets container tickets: no readinessProbe',
    ]);
    expect(serviceProbeProblems(objects, [...SERVICES])).toEqual([
      'Deployment tickets: readinessProbe is not GET /readyz',
    ]);
  });

  it('a Secret key nobody provides', () => {
    const objects = broken(
      (o) =>
        (get(o, 'Deployment', 'payments').spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key =
          'DB_URL'),
    );
    expect(referenceProblems(objects, secretCatalog())).toEqual([
      'Deployment payments container payments env DATABASE_URL: Secret payments-postgres has no key DB_URL',
    ]);
  });

  it('an image skaffold does not build and an unpinned one', () => {
    const objects = broken((o) => {
      get(o, 'Deployment', 'orders').spec.template.spec.containers[0].image = 'ghcr.io/glotixz/order:0.1.0';
      get(o, 'Deployment', 'auth').spec.template.spec.containers[0].image = 'ghcr.io/glotixz/auth:latest';
    });
    expect(imageProblems(objects, skaffoldArtifacts(), true).sort()).toEqual([
      'Deployment auth: ghcr.io/glotixz/auth:latest is not pinned to a release tag',
      'Deployment orders: ghcr.io/glotixz/order:0.1.0 is neither built by skaffold nor an allowed third-party image',
    ]);
  });

  it('a route that differs from routes.json, and a destination that does not exist', () => {
    const swapped = broken(
      (o) => (get(o, 'VirtualService', 'glotixz').spec.http[1].match[1].uri.prefix = '/api/tickets'),
    );
    expect(routingProblems(swapped, routesTable()).join('\n')).toContain(
      'matches must be exactly { exact: p } and { prefix: p/ }',
    );
    const missing = broken(
      (o) =>
        (get(o, 'VirtualService', 'glotixz').spec.http[2].route[0].destination.host =
          'order.glotixz.svc.cluster.local'),
    );
    expect(routingProblems(missing, routesTable()).join('\n')).toContain(
      'destination order.glotixz.svc.cluster.local is no Service here',
    );
  });

  it('a principal that does not exist and a workload without a policy', () => {
    const objects = broken((o) => {
      get(o, 'AuthorizationPolicy', 'redis').spec.rules[0].from[0].source.principals = [
        'cluster.local/ns/glotixz/sa/expirations',
      ];
      o.splice(o.indexOf(get(o, 'AuthorizationPolicy', 'nats')), 1);
    });
    expect(meshSecurityProblems(objects)).toEqual([
      'AuthorizationPolicy redis: principal cluster.local/ns/glotixz/sa/expirations is no ServiceAccount here',
      'StatefulSet nats: 0 AuthorizationPolicies select it, expected exactly 1',
    ]);
  });

  it('a ScaledObject, a Pooler or a backup naming nothing, and a role login nobody provides', () => {
    const objects = broken((o) => {
      get(o, 'ScaledObject', 'orders').spec.scaleTargetRef.name = 'order';
      get(o, 'Pooler', 'postgres-pooler').spec.cluster.name = 'postgresql';
      get(o, 'ScheduledBackup', 'postgres-nightly').spec.cluster.name = 'pg';
      get(o, 'Cluster', 'postgres').spec.managed.roles[0].passwordSecret.name = 'tickets-role';
    });
    expect(selectorProblems(objects)).toEqual([
      'ScaledObject orders: scales Deployment order, which does not exist',
      'Pooler postgres-pooler: names Cluster postgresql, which does not exist',
      'ScheduledBackup postgres-nightly: names Cluster pg, which does not exist',
    ]);
    expect(referenceProblems(objects, secretCatalog())).toEqual([
      'Cluster postgres role tickets: Secret tickets-role is not in infra/sealed-secrets',
    ]);
  });

  it('a pooler in the mesh without its AuthorizationPolicy, and a network policy peer that matches no pod', () => {
    const objects = broken((o) => {
      o.splice(o.indexOf(get(o, 'AuthorizationPolicy', 'postgres-pooler')), 1);
      get(o, 'NetworkPolicy', 'postgres').spec.ingress[0].from[0].podSelector.matchLabels = {
        'cnpg.io/poolerName': 'pooler',
      };
    });
    expect(meshSecurityProblems(objects)).toEqual([
      'Pooler postgres-pooler: 0 AuthorizationPolicies select it, expected exactly 1',
    ]);
    expect(selectorProblems(objects)).toEqual([
      'NetworkPolicy postgres: peer {"cnpg.io/poolerName":"pooler"} matches no pods',
    ]);
  });
});
