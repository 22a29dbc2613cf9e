import { createPublicKey } from 'node:crypto';
import {
  gatewayPath,
  meshSecurityProblems,
  readVirtualService,
  routePath,
  routingProblems,
} from './lib/checks';
import { allBuilds, buildOverlay, get, ofKind, OVERLAYS } from './lib/manifests';
import { routesTable } from './lib/repo';

const meshBuilds = allBuilds()
  .filter((b) => b.objects.some((o) => o.kind === 'VirtualService'))
  .map((b) => [b.name, b.objects] as const);
const meshOverlays = OVERLAYS.filter((o) => buildOverlay(o).some((x) => x.kind === 'VirtualService'));

describe('the Istio component', () => {
  it('is part of staging and production', () => {
    expect(meshOverlays).toEqual(['staging', 'production']);
    expect(meshBuilds.length).toBeGreaterThanOrEqual(4);
  });

  it.each(meshBuilds)(
    '%s: the VirtualService routes equal infra/routes.json and reach Services',
    (_, objects) => {
      expect(routingProblems(objects, routesTable())).toEqual([]);
    },
  );

  it.each(meshBuilds)('%s: sends every sample path where the local gateway sends it', (_, objects) => {
    const table = routesTable();
    const { routes } = readVirtualService(get(objects, 'VirtualService', 'glotixz'));
    const samples = ['/', '/tickets/1', '/api', '/api/', '/api/nothing', '/apix', '/_next/static/a.js'];
    for (const r of table.routes)
      samples.push(r.prefix, `${r.prefix}/`, `${r.prefix}/x/y`, `${r.prefix}x`, `${r.prefix}-docs`);
    for (const path of samples)
      expect([path, routePath(routes, path)]).toEqual([path, gatewayPath(table, path)]);
  });

  it.each(meshBuilds)(
    '%s: denies by default, one policy per workload, known principals, STRICT mTLS',
    (_, objects) => {
      expect(meshSecurityProblems(objects)).toEqual([]);
    },
  );

  it.each(meshOverlays)(
    '%s: Gateway and VirtualService serve one real host through the Gateway',
    (overlay) => {
      const objects = buildOverlay(overlay);
      const gateway = get(objects, 'Gateway', 'glotixz');
      const vs = get(objects, 'VirtualService', 'glotixz');
      const hosts = new Set((gateway.spec.servers as { hosts: string[] }[]).flatMap((s) => s.hosts));
      expect([...hosts]).toEqual(vs.spec.hosts);
      expect(vs.spec.gateways).toEqual([gateway.metadata.name]);
      expect(overlay === 'production' || !vs.spec.hosts[0].startsWith('glotixz.')).toBe(true);
    },
  );

  it.each(meshOverlays)(
    '%s: RequestAuthentication holds an ES256 key and the issuer and audience the services use',
    (overlay) => {
      const objects = buildOverlay(overlay);
      const [rule, ...more] = get(objects, 'RequestAuthentication', 'glotixz-jwt').spec.jwtRules;
      expect(more).toEqual([]);
      const jwks = JSON.parse(rule.jwks) as { keys: Record<string, string>[] };
      expect(jwks.keys.length).toBeGreaterThan(0);
      for (const key of jwks.keys) {
        expect({ kty: key.kty, crv: key.crv, alg: key.alg }).toEqual({
          kty: 'EC',
          crv: 'P-256',
          alg: 'ES256',
        });
        expect(createPublicKey({ key, format: 'jwk' }).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
      }
      for (const cm of ofKind(objects, 'ConfigMap').filter(
        (c) => c.data?.JWT_ISSUER || c.data?.JWT_AUDIENCE,
      )) {
        expect([cm.metadata.name, cm.data.JWT_ISSUER]).toEqual([cm.metadata.name, rule.issuer]);
        expect(rule.audiences).toContain(cm.data.JWT_AUDIENCE);
      }
    },
  );

  it.each(meshBuilds)(
    '%s: sidecars close idle connections to every HTTP workload before the workload does',
    (_, objects) => {
      // The services' and the client's keep-alive timeout (common/src/express/run-service.ts,
      // client/Dockerfile).
      const workloadKeepAliveSeconds = 65;
      const httpWorkloads = [
        ...ofKind(objects, 'Service').filter((s) =>
          ['api', 'web'].includes(s.metadata.labels?.['app.kubernetes.io/component'] ?? ''),
        ),
        ...objects.filter((o) => o.apiVersion.startsWith('serving.knative.dev/') && o.kind === 'Service'),
      ].map((s) => s.metadata.name);
      expect(httpWorkloads.length).toBeGreaterThanOrEqual(5);
      const rules = new Map(ofKind(objects, 'DestinationRule').map((r) => [r.spec.host as string, r]));
      for (const name of httpWorkloads) {
        const idle = rules.get(name)?.spec.trafficPolicy?.connectionPool?.http?.idleTimeout as string;
        expect([name, /^\d+s$/.test(idle ?? '')]).toEqual([name, true]);
        expect([name, Number.parseInt(idle, 10) < workloadKeepAliveSeconds]).toEqual([name, true]);
      }
      expect([...rules.keys()].sort()).toEqual([...new Set(httpWorkloads)].sort());
    },
  );
});
