/**
 * Cross-reference checks over one build. Each returns its problems, one line each, so a test
 * asserts `toEqual([])` and a failure names every broken reference at once. checks.test.ts
 * breaks a manifest for each of them to prove they can fail.
 */
import {
  containers,
  coreServices,
  isKnativeService,
  NAMESPACE,
  ofKind,
  operatorPods,
  podTemplates,
  selects,
  type K8sObject,
  type Loose,
  type PodTemplate,
} from './manifests';

const id = (o: K8sObject) => `${o.kind} ${o.metadata.name}`;
const matchLabels = (selector: Loose): Record<string, string> | undefined =>
  selector?.matchLabels as Record<string, string> | undefined;

/**
 * Workload selectors, Service selectors and every other selector find the pods they mean (the
 * pods operators make from CloudNativePG objects included).
 */
export function selectorProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const pods = [...podTemplates(objects), ...operatorPods(objects)];
  const matching = (selector: Record<string, string> | undefined) =>
    pods.filter((p) => selects(selector, p.labels));
  for (const o of objects.filter((x) => ['Deployment', 'StatefulSet'].includes(x.kind))) {
    const selector = matchLabels(o.spec?.selector);
    if (!selector || Object.keys(selector).length === 0) problems.push(`${id(o)}: no selector`);
    else if (!selects(selector, o.spec.template?.metadata?.labels ?? {}))
      problems.push(`${id(o)}: selector does not match its pod labels`);
    else if (matching(selector).length > 1)
      problems.push(`${id(o)}: selector also matches ${matching(selector).length - 1} other workload(s)`);
  }
  for (const s of coreServices(objects)) {
    const selector = s.spec?.selector as Record<string, string> | undefined;
    if (!selector) continue;
    if (matching(selector).length === 0) problems.push(`${id(s)}: selector matches no pods`);
  }
  for (const o of [...ofKind(objects, 'PodDisruptionBudget'), ...ofKind(objects, 'AuthorizationPolicy')]) {
    const selector = matchLabels(o.spec?.selector);
    if (selector && matching(selector).length === 0) problems.push(`${id(o)}: selector matches no pods`);
  }
  for (const np of ofKind(objects, 'NetworkPolicy')) {
    const selector = matchLabels(np.spec?.podSelector);
    if (selector && Object.keys(selector).length > 0 && matching(selector).length === 0)
      problems.push(`${id(np)}: podSelector matches no pods`);
    const peers = [
      ...((np.spec?.ingress as Loose[]) ?? []).flatMap((r) => (r.from as Loose[]) ?? []),
      ...((np.spec?.egress as Loose[]) ?? []).flatMap((r) => (r.to as Loose[]) ?? []),
    ];
    for (const peer of peers) {
      const peerSelector = matchLabels(peer.podSelector);
      if (peer.namespaceSelector || !peerSelector) continue;
      if (matching(peerSelector).length === 0)
        problems.push(`${id(np)}: peer ${JSON.stringify(peerSelector)} matches no pods`);
    }
  }
  for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec?.scaleTargetRef;
    if (ofKind(objects, ref?.kind, ref?.name).length === 0)
      problems.push(`${id(hpa)}: scales ${ref?.kind} ${ref?.name}, which does not exist`);
  }
  for (const so of ofKind(objects, 'ScaledObject')) {
    const ref = so.spec?.scaleTargetRef;
    const kind = (ref?.kind as string | undefined) ?? 'Deployment';
    if (ofKind(objects, kind, ref?.name).length === 0)
      problems.push(`${id(so)}: scales ${kind} ${ref?.name}, which does not exist`);
  }
  for (const o of [...ofKind(objects, 'Pooler'), ...ofKind(objects, 'ScheduledBackup')]) {
    const cluster = o.spec?.cluster?.name as string | undefined;
    if (ofKind(objects, 'Cluster', cluster).length === 0)
      problems.push(`${id(o)}: names Cluster ${cluster}, which does not exist`);
  }
  return problems;
}

/**
 * The Secrets a CloudNativePG Cluster reads, as `{ where, name, keys }`: the initdb owner's and
 * every managed role's login (basic-auth: username and password) and the backup credentials.
 */
export function cnpgSecretRefs(objects: K8sObject[]): { where: string; name: string; keys: string[] }[] {
  const refs: { where: string; name: string; keys: string[] }[] = [];
  for (const cluster of ofKind(objects, 'Cluster')) {
    const initdb = cluster.spec?.bootstrap?.initdb;
    if (initdb?.secret?.name)
      refs.push({ where: `${id(cluster)} initdb`, name: initdb.secret.name, keys: ['username', 'password'] });
    for (const role of (cluster.spec?.managed?.roles as Loose[]) ?? [])
      if (role.passwordSecret?.name)
        refs.push({
          where: `${id(cluster)} role ${role.name}`,
          name: role.passwordSecret.name,
          keys: ['username', 'password'],
        });
    const s3 = cluster.spec?.backup?.barmanObjectStore?.s3Credentials ?? {};
    for (const [field, ref] of Object.entries(s3 as Record<string, Loose>))
      if (ref?.name) refs.push({ where: `${id(cluster)} backup ${field}`, name: ref.name, keys: [ref.key] });
  }
  return refs;
}

const istioPortName = /^(http|http2|https|grpc|grpc-web|tcp|tls|mongo|mysql|redis|udp)(-[a-z0-9-]+)?$/;

/** Service ports are named per Istio's convention and lead to a container port that exists. */
export function servicePortProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const pods = podTemplates(objects);
  for (const s of coreServices(objects)) {
    const selected = pods.filter((p) => s.spec?.selector && selects(s.spec.selector, p.labels));
    for (const port of (s.spec?.ports as Loose[]) ?? []) {
      if (!istioPortName.test(String(port.name)))
        problems.push(`${id(s)}: port ${port.name} is not named <protocol>[-suffix] (Istio)`);
      const target = port.targetPort ?? port.port;
      for (const pod of selected) {
        const found = containers(pod.spec).some((c) =>
          ((c.ports as Loose[]) ?? []).some((p) =>
            typeof target === 'number' ? p.containerPort === target : p.name === target,
          ),
        );
        if (!found)
          problems.push(`${id(s)}: port ${port.name} targets ${target}, not a port of ${pod.owner}`);
      }
    }
  }
  return problems;
}

/** The restricted pod security profile, probes, requests and limits, and a ServiceAccount. */
export function podProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const accounts = new Set(ofKind(objects, 'ServiceAccount').map((sa) => sa.metadata.name));
  for (const pod of podTemplates(objects)) {
    const podSc = pod.spec.securityContext ?? {};
    if (!pod.spec.serviceAccountName || !accounts.has(pod.spec.serviceAccountName))
      problems.push(
        `${pod.owner}: serviceAccountName ${pod.spec.serviceAccountName} is not a ServiceAccount here`,
      );
    if (pod.spec.automountServiceAccountToken !== false)
      problems.push(`${pod.owner}: automountServiceAccountToken must be false`);
    for (const c of containers(pod.spec)) {
      const where = `${pod.owner} container ${c.name}`;
      const sc = c.securityContext ?? {};
      if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true)
        problems.push(`${where}: runAsNonRoot is not true`);
      const uid = sc.runAsUser ?? podSc.runAsUser;
      if (typeof uid !== 'number' || uid === 0) problems.push(`${where}: no numeric non-root runAsUser`);
      if ((sc.seccompProfile ?? podSc.seccompProfile)?.type !== 'RuntimeDefault')
        problems.push(`${where}: seccompProfile is not RuntimeDefault`);
      if (sc.allowPrivilegeEscalation !== false)
        problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (sc.privileged === true) problems.push(`${where}: privileged`);
      if (!((sc.capabilities?.drop as string[]) ?? []).includes('ALL'))
        problems.push(`${where}: capabilities do not drop ALL`);
      if (((sc.capabilities?.add as string[]) ?? []).length > 0) problems.push(`${where}: adds capabilities`);
      for (const kind of ['cpu', 'memory']) {
        if (!c.resources?.requests?.[kind]) problems.push(`${where}: no ${kind} request`);
        if (!c.resources?.limits?.[kind]) problems.push(`${where}: no ${kind} limit`);
      }
      const needed =
        pod.kind === 'KnativeService'
          ? ['livenessProbe', 'readinessProbe']
          : ['livenessProbe', 'readinessProbe', 'startupProbe'];
      for (const probe of needed) if (!c[probe]) problems.push(`${where}: no ${probe}`);
    }
  }
  return problems;
}

/** The Glotixz services: liveness on /healthz, readiness on /readyz, startup on /healthz. */
export function serviceProbeProblems(objects: K8sObject[], services: string[]): string[] {
  const problems: string[] = [];
  for (const pod of podTemplates(objects).filter((p) => services.includes(p.name))) {
    const c = (pod.spec.containers as Loose[])[0];
    const expect = { livenessProbe: '/healthz', readinessProbe: '/readyz', startupProbe: '/healthz' };
    for (const [probe, path] of Object.entries(expect)) {
      if (c?.[probe]?.httpGet?.path !== path) problems.push(`${pod.owner}: ${probe} is not GET ${path}`);
    }
  }
  return problems;
}

/** A container image: repository and tag. */
export function parseImage(image: string): { repository: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = image.split('@');
  const slash = withoutDigest!.lastIndexOf('/');
  const colon = withoutDigest!.lastIndexOf(':');
  return colon > slash
    ? { repository: withoutDigest!.slice(0, colon), tag: withoutDigest!.slice(colon + 1), digest }
    : { repository: withoutDigest!, digest };
}

/** Third-party images the manifests may run, each pinned to a version (major.minor at least). */
const thirdParty = ['postgres', 'redis', 'nats'];

/**
 * Every image is built by skaffold (its repository ends with an artifact's name, so a registry
 * prefix is fine) or is an allowed third-party image pinned to a version. `pinned`: app images
 * must carry a release tag too (staging, production); dev images get theirs from skaffold.
 */
export function imageProblems(objects: K8sObject[], artifacts: string[], pinned: boolean): string[] {
  const problems: string[] = [];
  for (const pod of podTemplates(objects)) {
    for (const c of containers(pod.spec)) {
      const image = String(c.image);
      const { repository, tag, digest } = parseImage(image);
      const artifact = artifacts.find((a) => repository === a || repository.endsWith(`/${a}`));
      if (artifact) {
        if (pinned && (!tag || tag === 'latest') && !digest)
          problems.push(`${pod.owner}: ${image} is not pinned to a release tag`);
      } else if (thirdParty.includes(repository)) {
        if (!tag || !/^\d+\.\d+/.test(tag))
          problems.push(`${pod.owner}: ${image} is not pinned to a version`);
      } else {
        problems.push(`${pod.owner}: ${image} is neither built by skaffold nor an allowed third-party image`);
      }
    }
  }
  return problems;
}

/** The Secrets that exist outside the manifests: name → keys, and which keys are optional. */
export interface SecretCatalog {
  [name: string]: { keys: string[]; optional: string[] };
}

/**
 * Every ConfigMap a pod reads exists in the build with the keys read; every Secret is in the
 * catalog (infra/sealed-secrets) with the keys read, and a key that may be absent is read as
 * optional.
 */
export function referenceProblems(objects: K8sObject[], secrets: SecretCatalog): string[] {
  const problems: string[] = [];
  const configMaps = new Map(ofKind(objects, 'ConfigMap').map((cm) => [cm.metadata.name, cm]));
  const checkConfigMap = (where: string, name: string, key: string | undefined, optional: boolean) => {
    const cm = configMaps.get(name);
    if (!cm) {
      if (!optional) problems.push(`${where}: ConfigMap ${name} does not exist`);
    } else if (key !== undefined && !(key in (cm.data ?? {})) && !optional) {
      problems.push(`${where}: ConfigMap ${name} has no key ${key}`);
    }
  };
  const checkSecret = (where: string, name: string, key: string | undefined, optional: boolean) => {
    const secret = secrets[name];
    if (!secret) {
      problems.push(`${where}: Secret ${name} is not in infra/sealed-secrets`);
    } else if (key !== undefined) {
      if (!secret.keys.includes(key)) problems.push(`${where}: Secret ${name} has no key ${key}`);
      else if (secret.optional.includes(key) && !optional)
        problems.push(`${where}: Secret ${name} key ${key} may be absent; read it with optional: true`);
    }
  };
  for (const pod of podTemplates(objects)) {
    for (const c of containers(pod.spec)) {
      const where = `${pod.owner} container ${c.name}`;
      for (const from of (c.envFrom as Loose[]) ?? []) {
        if (from.configMapRef)
          checkConfigMap(where, from.configMapRef.name, undefined, !!from.configMapRef.optional);
        if (from.secretRef) checkSecret(where, from.secretRef.name, undefined, !!from.secretRef.optional);
      }
      for (const env of (c.env as Loose[]) ?? []) {
        const cmRef = env.valueFrom?.configMapKeyRef;
        const secretRef = env.valueFrom?.secretKeyRef;
        if (cmRef) checkConfigMap(`${where} env ${env.name}`, cmRef.name, cmRef.key, !!cmRef.optional);
        if (secretRef)
          checkSecret(`${where} env ${env.name}`, secretRef.name, secretRef.key, !!secretRef.optional);
      }
    }
    for (const volume of (pod.spec.volumes as Loose[]) ?? []) {
      if (volume.configMap)
        checkConfigMap(`${pod.owner} volume ${volume.name}`, volume.configMap.name, undefined, false);
      if (volume.secret)
        checkSecret(`${pod.owner} volume ${volume.name}`, volume.secret.secretName, undefined, false);
    }
  }
  for (const ref of cnpgSecretRefs(objects))
    for (const key of ref.keys) checkSecret(ref.where, ref.name, key, false);
  return [...new Set(problems)];
}

/** The principal of a ServiceAccount in the mesh. */
export const principal = (account: string, namespace = NAMESPACE) =>
  `cluster.local/ns/${namespace}/sa/${account}`;

/**
 * Principals outside the namespace that policies may name: the edge, Knative's activator and
 * KEDA's operator (it reads consumer lag from NATS).
 */
export const externalPrincipals = [
  principal('istio-ingressgateway-service-account', 'istio-system'),
  principal('controller', 'knative-serving'),
  principal('keda-operator', 'keda'),
];

/**
 * Deny by default, then exactly one ALLOW policy per workload in the mesh (operator-made pods
 * with a sidecar included), naming only principals that exist; mTLS STRICT for the whole
 * namespace.
 */
export function meshSecurityProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const policies = ofKind(objects, 'AuthorizationPolicy');
  const accounts = new Set(ofKind(objects, 'ServiceAccount').map((sa) => principal(sa.metadata.name)));
  const denyAll = policies.filter((p) => p.spec && Object.keys(p.spec).length === 0);
  if (denyAll.length !== 1)
    problems.push(`expected one deny-all AuthorizationPolicy (empty spec), found ${denyAll.length}`);
  for (const policy of policies) {
    if (policy.spec?.action && policy.spec.action !== 'ALLOW')
      problems.push(`${id(policy)}: action ${policy.spec.action}`);
    for (const rule of (policy.spec?.rules as Loose[]) ?? []) {
      for (const from of (rule.from as Loose[]) ?? []) {
        for (const p of (from.source?.principals as string[]) ?? []) {
          if (!accounts.has(p) && !externalPrincipals.includes(p))
            problems.push(`${id(policy)}: principal ${p} is no ServiceAccount here`);
        }
      }
    }
  }
  for (const pod of [...podTemplates(objects), ...operatorPods(objects).filter((p) => p.meshed)]) {
    const selecting = policies.filter(
      (p) => p.spec?.selector && selects(matchLabels(p.spec.selector), pod.labels),
    );
    if (selecting.length !== 1)
      problems.push(`${pod.owner}: ${selecting.length} AuthorizationPolicies select it, expected exactly 1`);
  }
  const peer = ofKind(objects, 'PeerAuthentication');
  if (!peer.some((p) => !p.spec?.selector && p.spec?.mtls?.mode === 'STRICT'))
    problems.push('no namespace-wide PeerAuthentication with mtls STRICT');
  for (const p of peer) {
    if (p.spec?.mtls?.mode && p.spec.mtls.mode !== 'STRICT')
      problems.push(`${id(p)}: mtls ${p.spec.mtls.mode}`);
    for (const [port, mode] of Object.entries((p.spec?.portLevelMtls as Record<string, Loose>) ?? {}))
      if (mode?.mode !== 'STRICT') problems.push(`${id(p)}: port ${port} is not STRICT`);
  }
  return problems;
}

/** One route of infra/routes.json. */
export interface Route {
  prefix: string;
  service: string;
  port: number;
}

/** The routes table of infra/routes.json. */
export interface RoutesTable {
  routes: Route[];
  notFoundPrefixes?: string[];
  default: { service: string; port: number };
}

/** A VirtualService http route read back into routes.json terms. */
export type VsRoute =
  | { kind: 'route'; prefix: string; host: string; port: number; authority?: string }
  | { kind: 'not-found'; prefix: string }
  | { kind: 'default'; host: string; port: number; authority?: string };

/**
 * Reads a VirtualService's http routes as prefixes. A routes.json prefix p is written as the
 * matches { exact: p } and { prefix: p + '/' }; anything else is reported as a problem.
 */
export function readVirtualService(vs: K8sObject): { routes: VsRoute[]; problems: string[] } {
  const problems: string[] = [];
  const routes: VsRoute[] = [];
  for (const [i, http] of ((vs.spec?.http as Loose[]) ?? []).entries()) {
    const where = `${id(vs)} http[${i}]${http.name ? ` (${http.name})` : ''}`;
    const matches = (http.match as Loose[]) ?? [];
    const destination = (http.route as Loose[])?.[0]?.destination;
    const target = destination
      ? {
          host: String(destination.host),
          port: Number(destination.port?.number),
          authority: http.rewrite?.authority as string | undefined,
        }
      : undefined;
    if ((http.route as Loose[])?.length > 1) problems.push(`${where}: more than one destination`);
    if (matches.length === 0) {
      if (!target) problems.push(`${where}: a catch-all without a destination`);
      else routes.push({ kind: 'default', ...target });
      continue;
    }
    const exact = matches.map((m) => m.uri?.exact).filter(Boolean) as string[];
    const prefixes = matches.map((m) => m.uri?.prefix).filter(Boolean) as string[];
    const prefix = exact[0];
    if (
      matches.length !== 2 ||
      exact.length !== 1 ||
      prefixes.length !== 1 ||
      prefixes[0] !== `${prefix}/` ||
      matches.some((m) => Object.keys(m).length !== 1)
    ) {
      problems.push(`${where}: matches must be exactly { exact: p } and { prefix: p/ }`);
      continue;
    }
    if (http.directResponse) {
      if (http.directResponse.status !== 404) problems.push(`${where}: direct response is not 404`);
      routes.push({ kind: 'not-found', prefix: prefix! });
    } else if (target) {
      routes.push({ kind: 'route', prefix: prefix!, ...target });
    } else {
      problems.push(`${where}: neither a destination nor a direct response`);
    }
  }
  return { routes, problems };
}

/** `<name>.<namespace>.svc.cluster.local` → name (in our namespace), else undefined. */
export function localServiceName(host: string): string | undefined {
  const parts = host.split('.');
  if (parts.length === 1) return host;
  if (parts[1] === NAMESPACE && (parts.length === 2 || parts.slice(2).join('.') === 'svc.cluster.local'))
    return parts[0];
  return undefined;
}

/** Destinations outside the namespace a route may use: Knative's local gateway. */
const externalDestinations = ['knative-local-gateway.istio-system.svc.cluster.local:80'];

/**
 * The VirtualService routes equal infra/routes.json (same prefixes, same order, same services
 * and ports, the not-found prefixes, the default last), and every destination exists: a Service
 * of the build with that port, or Knative's gateway with the Host of a Knative Service here.
 */
export function routingProblems(objects: K8sObject[], table: RoutesTable): string[] {
  const problems: string[] = [];
  const services = ofKind(objects, 'VirtualService');
  if (services.length !== 1) return [`expected one VirtualService, found ${services.length}`];
  const { routes, problems: readProblems } = readVirtualService(services[0]!);
  problems.push(...readProblems);
  const knative = new Set(objects.filter(isKnativeService).map((k) => k.metadata.name));
  const target = (
    r: { host: string; port: number; authority?: string },
    where: string,
  ): string | undefined => {
    if (externalDestinations.includes(`${r.host}:${r.port}`)) {
      const name = r.authority ? localServiceName(r.authority) : undefined;
      if (!name || !knative.has(name)) {
        problems.push(`${where}: ${r.host} needs a rewrite to the Host of a Knative Service here`);
        return undefined;
      }
      return `${name}:knative`;
    }
    const name = localServiceName(r.host);
    const svc = name ? coreServices(objects).find((s) => s.metadata.name === name) : undefined;
    if (!svc) {
      problems.push(`${where}: destination ${r.host} is no Service here`);
      return undefined;
    }
    if (!((svc.spec?.ports as Loose[]) ?? []).some((p) => p.port === r.port))
      problems.push(`${where}: Service ${name} has no port ${r.port}`);
    return `${name}:${r.port}`;
  };
  const wanted = [
    ...table.routes.map((r) => `route ${r.prefix} → ${r.service}:${r.port}`),
    ...(table.notFoundPrefixes ?? []).map((p) => `not-found ${p}`),
    `default → ${table.default.service}:${table.default.port}`,
  ];
  const actual = routes.map((r) => {
    if (r.kind === 'not-found') return `not-found ${r.prefix}`;
    const t = target(r, r.kind === 'route' ? `route ${r.prefix}` : 'default route');
    const [service, port] = (t ?? '?:?').split(':');
    // Under Knative the client answers on Knative's port; the service name is what must agree.
    const shown =
      port === 'knative' ? `${service}:${table.default.service === service ? table.default.port : '?'}` : t;
    return r.kind === 'route' ? `route ${r.prefix} → ${shown}` : `default → ${shown}`;
  });
  if (JSON.stringify(actual) !== JSON.stringify(wanted))
    problems.push(
      `VirtualService routes differ from infra/routes.json:\n  want ${wanted.join(' | ')}\n  have ${actual.join(' | ')}`,
    );
  return problems;
}

/** How the VirtualService sends a path (first matching http route), as routes.json words. */
export function routePath(routes: VsRoute[], pathname: string): string {
  for (const r of routes) {
    if (r.kind === 'default') return 'default';
    if (pathname === r.prefix || pathname.startsWith(`${r.prefix}/`))
      return r.kind === 'not-found' ? 'not-found' : `route ${r.prefix}`;
  }
  return 'unrouted';
}

/** How scripts/gateway.mjs sends a path, per the semantics documented in infra/routes.json. */
export function gatewayPath(table: RoutesTable, pathname: string): string {
  const under = (p: string) => pathname === p || pathname.startsWith(p.endsWith('/') ? p : `${p}/`);
  const route = table.routes.find((r) => under(r.prefix));
  if (route) return `route ${route.prefix}`;
  if ((table.notFoundPrefixes ?? []).some(under)) return 'not-found';
  return 'default';
}

export type { PodTemplate };
