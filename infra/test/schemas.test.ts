import path from 'node:path';
import { allBuilds, INFRA, listFiles, readManifests } from './lib/manifests';
import { schemaProblems } from './lib/schemas';

describe('schemas', () => {
  it.each(allBuilds().map((b) => [b.name, b.objects] as const))(
    'every object of %s validates',
    (_, objects) => {
      expect(schemaProblems(objects)).toEqual([]);
    },
  );

  it('validates the ArgoCD project and Applications and every SealedSecret (templates and sealed)', () => {
    const files = [
      ...listFiles(path.join(INFRA, 'argocd')),
      ...listFiles(path.join(INFRA, 'sealed-secrets')).filter((f) => f.endsWith('.yaml')),
    ];
    const objects = files.flatMap(readManifests);
    expect(objects.length).toBeGreaterThan(10);
    expect(schemaProblems(objects)).toEqual([]);
  });

  it("rejects a broken object, a Knative Service's broken pod template and an unknown kind", () => {
    const [deployment] = allBuilds()[0]!.objects.filter((o) => o.kind === 'Deployment');
    const broken = structuredClone(deployment!);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(schemaProblems([broken])).toEqual([expect.stringContaining('containerPort must be integer')]);
    const knative = allBuilds()
      .flatMap((b) => b.objects)
      .find((o) => o.apiVersion === 'serving.knative.dev/v1' && o.kind === 'Service');
    const portless = structuredClone(knative!);
    portless.spec.template.spec.containers[0].livenessProbe = { tcpSocket: {} };
    expect(schemaProblems([portless])).toEqual([
      expect.stringMatching(
        /^Service client \(pod template\): .*livenessProbe\/tcpSocket must have required property port/,
      ),
    ]);
    expect(
      schemaProblems([{ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' } }]),
    ).toEqual(['Thing x: no schema for example.com/v1 Thing']);
  });
});
