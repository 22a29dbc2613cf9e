import {
  imageProblems,
  podProblems,
  referenceProblems,
  selectorProblems,
  serviceProbeProblems,
  servicePortProblems,
} from './lib/checks';
import { allBuilds, buildOverlay, OVERLAYS } from './lib/manifests';
import { secretCatalog, SERVICES, skaffoldArtifacts } from './lib/repo';

const builds = allBuilds().map((b) => [b.name, b.objects] as const);

describe('workloads', () => {
  it.each(builds)(
    '%s: selectors match pod labels (workloads, Services, PDBs, policies, HPAs)',
    (_, objects) => {
      expect(selectorProblems(objects)).toEqual([]);
    },
  );

  it.each(builds)('%s: Service ports follow Istio naming and reach a container port', (_, objects) => {
    expect(servicePortProblems(objects)).toEqual([]);
  });

  it.each(builds)('%s: pods are hardened, probed, sized and have their own ServiceAccount', (_, objects) => {
    expect(podProblems(objects)).toEqual([]);
  });

  it.each(builds)('%s: services probe /healthz (liveness, startup) and /readyz (readiness)', (_, objects) => {
    expect(serviceProbeProblems(objects, [...SERVICES])).toEqual([]);
  });

  it.each(builds)('%s: every ConfigMap and Secret key read is provided', (_, objects) => {
    expect(referenceProblems(objects, secretCatalog())).toEqual([]);
  });

  it.each(OVERLAYS)('%s: every image is built by skaffold or a pinned third-party image', (overlay) => {
    expect(imageProblems(buildOverlay(overlay), skaffoldArtifacts(), overlay !== 'dev')).toEqual([]);
  });
});
