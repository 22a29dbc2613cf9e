import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cnpgCrdDir, cnpgSchemas, loadCrdSchemas } from './lib/crd-schemas';
import { allBuilds, buildOverlay, get, INFRA, listFiles, readManifests } from './lib/manifests';
import { cnpgObjects, schemaProblems } from './lib/schemas';

const crds = cnpgSchemas();
if (!crds.found)
  console.warn(`CloudNativePG CRDs not found (${crds.reason}): their schema checks are skipped`);

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

  describe('CloudNativePG objects (CRDs from ../shared/schemas/cloudnative-pg or GLOTIXZ_CNPG_CRDS)', () => {
    const withCrds = crds.found ? it : it.skip;

    withCrds('validate against the CRDs in staging and production', () => {
      for (const overlay of ['staging', 'production'] as const) {
        const objects = cnpgObjects(buildOverlay(overlay));
        expect(objects.map((o) => o.kind).sort()).toEqual(['Cluster', 'Pooler', 'ScheduledBackup']);
        expect(schemaProblems(objects)).toEqual([]);
      }
    });

    withCrds('rejects a wrong type, a value out of its enum and a misspelt field', () => {
      const cluster = structuredClone(get(buildOverlay('production'), 'Cluster', 'postgres'));
      cluster.spec.instances = 'three';
      cluster.spec.postgresql.synchronous.method = 'all';
      cluster.spec.postgresql.synchronus = {};
      expect(schemaProblems([cluster])).toEqual([
        'Cluster postgres: data/spec/instances must be integer, data/spec/postgresql must NOT have additional properties, data/spec/postgresql/synchronous/method must be equal to one of the allowed values',
      ]);
    });

    it(`is skipped, and says so, where the CRD folder is absent (now: ${crds.found ? 'present' : 'absent'})`, () => {
      const empty = mkdtempSync(path.join(tmpdir(), 'glotixz-no-crds-'));
      try {
        for (const dir of [path.join(empty, 'missing'), empty]) {
          const absent = loadCrdSchemas(dir);
          expect(absent.found).toBe(false);
          const cluster = get(buildOverlay('production'), 'Cluster', 'postgres');
          // Left out, not failed: the rest of the build is still checked.
          expect(schemaProblems([cluster], absent)).toEqual([]);
          expect(
            schemaProblems(
              [{ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x' } }],
              absent,
            ),
          ).toEqual(['Thing x: no schema for example.com/v1 Thing']);
        }
      } finally {
        rmSync(empty, { recursive: true, force: true });
      }
      expect(cnpgCrdDir()).toBe(
        process.env.GLOTIXZ_CNPG_CRDS ??
          path.resolve(INFRA, '..', '..', 'shared', 'schemas', 'cloudnative-pg'),
      );
    });
  });
});
