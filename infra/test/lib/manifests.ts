/**
 * Loading what the checks look at: kustomize builds (cached on disk by the content of infra/k8s,
 * so parallel test files build each overlay once), YAML files, and the pod templates inside them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Manifests are untyped JSON; the checks read them defensively. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: Loose;
}

export const INFRA = path.resolve(__dirname, '..', '..');
export const ROOT = path.resolve(INFRA, '..');
export const K8S = path.join(INFRA, 'k8s');
export const NAMESPACE = 'glotixz';
export const OVERLAYS = ['dev', 'staging', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];
/**
 * In the order an overlay lists them (knative adjusts what istio adds; cloudnative-pg re-points
 * the services' network policies).
 */
export const COMPONENTS = ['istio', 'knative', 'network-policies', 'cloudnative-pg'] as const;

/** Every document of a YAML text, `List` objects flattened; throws on a syntax error. */
export function parseManifests(text: string, source = 'yaml'): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    if (value.kind === 'List' && Array.isArray(value.items)) objects.push(...(value.items as K8sObject[]));
    else objects.push(value as K8sObject);
  }
  return objects;
}

/** Parses one YAML file (any number of documents). */
export function readManifests(file: string): K8sObject[] {
  return parseManifests(readFileSync(file, 'utf8'), path.relative(ROOT, file));
}

/** Every file below `dir`, recursively, sorted. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = path.join(dir, entry);
      return statSync(full).isDirectory() ? listFiles(full) : [full];
    });
}

let treeDigest: string | undefined;
function k8sDigest(): string {
  if (treeDigest) return treeDigest;
  const hash = createHash('sha256');
  for (const file of listFiles(K8S))
    hash.update(path.relative(K8S, file)).update('\0').update(readFileSync(file));
  treeDigest = hash.digest('hex').slice(0, 16);
  return treeDigest;
}

const memo = new Map<string, K8sObject[]>();

/** `kubectl kustomize <dir>`, parsed. Throws with kustomize's message when the build fails. */
export function kustomize(dir: string): K8sObject[] {
  const cached = memo.get(dir);
  if (cached) return cached;
  const cacheDir = path.join(tmpdir(), 'glotixz-infra-kustomize');
  const cacheFile = path.join(
    cacheDir,
    `${createHash('sha256').update(k8sDigest()).update(dir).digest('hex').slice(0, 24)}.yaml`,
  );
  let text: string;
  if (existsSync(cacheFile)) {
    text = readFileSync(cacheFile, 'utf8');
  } else {
    try {
      text = execFileSync('kubectl', ['kustomize', dir], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new Error(`kubectl kustomize ${path.relative(ROOT, dir) || dir} failed:\n${stderr}`);
    }
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${cacheFile}.${process.pid}`;
    writeFileSync(partial, text);
    renameSync(partial, cacheFile);
  }
  const objects = parseManifests(text, dir);
  memo.set(dir, objects);
  return objects;
}

/** The build of an overlay. */
export function buildOverlay(overlay: Overlay): K8sObject[] {
  return kustomize(path.join(K8S, 'overlays', overlay));
}

/** Every subset of the components, in overlay order (the empty one is the bare base). */
export function componentCombinations(): string[][] {
  const subsets: string[][] = [];
  for (let mask = 0; mask < 1 << COMPONENTS.length; mask++) {
    subsets.push(COMPONENTS.filter((_, i) => mask & (1 << i)));
  }
  return subsets;
}

/** The base with these components, built through a throwaway kustomization. */
export function buildCombination(components: string[]): K8sObject[] {
  const name = components.length > 0 ? components.join('+') : 'base';
  const dir = path.join(tmpdir(), 'glotixz-infra-combinations', name);
  mkdirSync(dir, { recursive: true });
  const rel = (p: string) => path.relative(dir, p).split(path.sep).join('/');
  const lines = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    `namespace: ${NAMESPACE}`,
    'resources:',
    `  - ${rel(path.join(K8S, 'base'))}`,
    ...(components.length > 0 ? ['components:'] : []),
    ...components.map((c) => `  - ${rel(path.join(K8S, 'components', c))}`),
  ];
  writeFileSync(path.join(dir, 'kustomization.yaml'), lines.join('\n') + '\n');
  return kustomize(dir);
}

/** Every build the checks cover: the three overlays and the base with every set of components. */
export function allBuilds(): { name: string; objects: K8sObject[] }[] {
  return [
    ...OVERLAYS.map((o) => ({ name: `overlay ${o}`, objects: buildOverlay(o) })),
    ...componentCombinations().map((c) => ({
      name: c.length > 0 ? `base + ${c.join(' + ')}` : 'base',
      objects: buildCombination(c),
    })),
  ];
}

/** The objects of one kind (optionally one name). */
export function ofKind(objects: K8sObject[], kind: string, name?: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

/** The one object of a kind and name; throws when it is missing. */
export function get(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = ofKind(objects, kind, name)[0];
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** A workload's pods as the checks see them. */
export interface PodTemplate {
  owner: string;
  kind: string;
  name: string;
  labels: Record<string, string>;
  spec: Loose;
  replicas: number | undefined;
}

/** The pod templates of Deployments, StatefulSets and Knative Services. */
export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind) || isKnativeService(o))
    .map((o) => ({
      owner: `${o.kind} ${o.metadata.name}`,
      kind: isKnativeService(o) ? 'KnativeService' : o.kind,
      name: o.metadata.name,
      labels: (o.spec?.template?.metadata?.labels ?? {}) as Record<string, string>,
      spec: o.spec?.template?.spec ?? {},
      replicas: o.spec?.replicas as number | undefined,
    }));
}

/**
 * The pods an operator makes from a CloudNativePG Cluster (its instances) and Pooler (PgBouncer),
 * with the labels the operator gives them (cnpg.io/cluster, cnpg.io/poolerName) and those the
 * object asks for; `meshed` when Istio would inject its sidecar into them.
 */
export function operatorPods(objects: K8sObject[]): (PodTemplate & { meshed: boolean })[] {
  const meshed = (annotations: Loose) => annotations?.['sidecar.istio.io/inject'] !== 'false';
  return objects.flatMap((o) => {
    if (!o.apiVersion.startsWith('postgresql.cnpg.io/')) return [];
    if (o.kind === 'Cluster') {
      const inherited = o.spec?.inheritedMetadata ?? {};
      return [
        {
          owner: `Cluster ${o.metadata.name}`,
          kind: 'Cluster',
          name: o.metadata.name,
          labels: { ...inherited.labels, 'cnpg.io/cluster': o.metadata.name, 'cnpg.io/podRole': 'instance' },
          spec: {},
          replicas: o.spec?.instances as number | undefined,
          meshed: meshed(inherited.annotations),
        },
      ];
    }
    if (o.kind === 'Pooler') {
      const template = o.spec?.template?.metadata ?? {};
      return [
        {
          owner: `Pooler ${o.metadata.name}`,
          kind: 'Pooler',
          name: o.metadata.name,
          labels: { ...template.labels, 'cnpg.io/poolerName': o.metadata.name },
          spec: o.spec?.template?.spec ?? {},
          replicas: o.spec?.instances as number | undefined,
          meshed: meshed(template.annotations),
        },
      ];
    }
    return [];
  });
}

/**
 * The Services CloudNativePG makes: `<cluster>-rw`, `-ro` and `-r` for a Cluster, the Pooler's
 * own name for a Pooler, each on Postgres's port.
 */
export function operatorServices(objects: K8sObject[]): K8sObject[] {
  const service = (name: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { ports: [{ name: 'pgbouncer', port: 5432 }] },
  });
  return objects.flatMap((o) => {
    if (!o.apiVersion.startsWith('postgresql.cnpg.io/')) return [];
    if (o.kind === 'Cluster') return ['rw', 'ro', 'r'].map((s) => service(`${o.metadata.name}-${s}`));
    if (o.kind === 'Pooler') return [service(o.metadata.name)];
    return [];
  });
}

export function isKnativeService(o: K8sObject): boolean {
  return o.kind === 'Service' && o.apiVersion.startsWith('serving.knative.dev/');
}

/** Kubernetes Services (not Knative ones). */
export function coreServices(objects: K8sObject[]): K8sObject[] {
  return objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1');
}

/** True when every label of `selector` is on `labels`. */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

/** Every container of a pod spec, init containers included. */
export function containers(spec: Loose): Loose[] {
  return [...((spec?.initContainers as Loose[]) ?? []), ...((spec?.containers as Loose[]) ?? [])];
}

/** Reads a YAML file (one document) as plain data. */
export function readYaml(file: string): Loose {
  const [first] = parseManifests(readFileSync(file, 'utf8'), file) as Loose[];
  return first;
}
