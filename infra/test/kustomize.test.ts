import { buildCombination, buildOverlay, componentCombinations, NAMESPACE, OVERLAYS } from './lib/manifests';

describe('kubectl kustomize', () => {
  it.each(OVERLAYS)('builds the %s overlay into the glotixz namespace', (overlay) => {
    const objects = buildOverlay(overlay);
    expect(objects.length).toBeGreaterThan(30);
    const elsewhere = objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== NAMESPACE);
    expect(elsewhere.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([]);
  });

  it.each(componentCombinations().map((c) => [c.length > 0 ? c.join(' + ') : '(none)', c] as const))(
    'builds the base with components %s',
    (_, components) => {
      const objects = buildCombination(components);
      expect(objects.filter((o) => o.kind === 'Deployment').length).toBeGreaterThanOrEqual(5);
    },
  );
});
