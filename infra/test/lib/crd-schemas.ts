/**
 * Schema validation for kinds whose schema comes as CustomResourceDefinitions rather than a
 * kubernetes-models package: CloudNativePG's Cluster, Pooler and ScheduledBackup. The CRDs are
 * data kept beside the repository (`../shared/schemas/cloudnative-pg/` from the repository root;
 * `GLOTIXZ_CNPG_CRDS` points elsewhere) and are not copied into it. Each version's
 * openAPIV3Schema is compiled with the Ajv and the formats the kubernetes-models validators use,
 * and errors read the same way. Where the folder is absent the kinds are reported as unchecked
 * and the checks that need them are skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseManifests, ROOT, type K8sObject, type Loose } from './manifests';

interface CompiledSchema {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string }[] | null;
}
interface AjvInstance {
  compile(schema: unknown): CompiledSchema;
  addFormat(name: string, format: unknown): void;
}
type AjvClass = new (options: Record<string, unknown>) => AjvInstance;

// The validators of kubernetes-models run on the Ajv that @kubernetes-models/validate depends
// on (Ajv 8; the workspace root holds an older one for other tools), so load that one.
const validateRequire = createRequire(require.resolve('@kubernetes-models/validate'));
const ajvModule = validateRequire('ajv') as { default: AjvClass };
const { formats, runValidateFunc } = validateRequire('@kubernetes-models/validate') as {
  formats: Record<string, unknown>;
  runValidateFunc: (fn: CompiledSchema, data: unknown) => void;
};

/** The CloudNativePG kinds the manifests use, by `apiVersion/kind`. */
export const CNPG_KINDS = [
  'postgresql.cnpg.io/v1/Cluster',
  'postgresql.cnpg.io/v1/Pooler',
  'postgresql.cnpg.io/v1/ScheduledBackup',
] as const;

/** Where the CloudNativePG CRDs are read from. */
export function cnpgCrdDir(): string {
  return process.env.GLOTIXZ_CNPG_CRDS ?? path.resolve(ROOT, '..', 'shared', 'schemas', 'cloudnative-pg');
}

/** The validators of a CRD folder, or why there are none. */
export type CrdSchemas =
  | { dir: string; found: true; validators: Map<string, CompiledSchema> }
  | { dir: string; found: false; reason: string };

/**
 * Compiles the openAPIV3Schema of every served version of every CRD in `dir` (*.yaml), keyed by
 * `<group>/<version>/<kind>`.
 */
export function loadCrdSchemas(dir: string): CrdSchemas {
  if (!existsSync(dir)) return { dir, found: false, reason: `${dir} does not exist` };
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  if (files.length === 0) return { dir, found: false, reason: `${dir} holds no CRD YAML` };
  const ajv = new ajvModule.default({
    // CRD schemas carry x-kubernetes-* extensions Ajv does not know; they are not validation
    // keywords it could enforce (x-kubernetes-validations are CEL rules, checked by the API server).
    strict: false,
    allErrors: true,
  });
  for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format);
  const validators = new Map<string, CompiledSchema>();
  for (const file of files) {
    for (const crd of parseManifests(readFileSync(path.join(dir, file), 'utf8'), file)) {
      if (crd.kind !== 'CustomResourceDefinition') continue;
      const { group, names } = crd.spec as { group: string; names: { kind: string } };
      for (const version of (crd.spec.versions as Loose[]) ?? []) {
        const schema = version.schema?.openAPIV3Schema;
        if (!version.served || !schema) continue;
        validators.set(`${group}/${version.name}/${names.kind}`, ajv.compile(strictSchema(schema)));
      }
    }
  }
  return { dir, found: true, validators };
}

/**
 * A copy of a structural schema that refuses fields it does not declare, as the API server's
 * strict field validation (kubectl's default) does, so a misspelt field fails here too; parts
 * marked x-kubernetes-preserve-unknown-fields stay open.
 */
export function strictSchema(schema: Loose): Loose {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Loose = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, strictSchema(v)]));
  if (
    copy.properties &&
    copy.additionalProperties === undefined &&
    !copy['x-kubernetes-preserve-unknown-fields']
  )
    copy.additionalProperties = false;
  return copy;
}

let loaded: CrdSchemas | undefined;
/** The CloudNativePG CRDs of {@link cnpgCrdDir}, loaded once. */
export function cnpgSchemas(): CrdSchemas {
  loaded ??= loadCrdSchemas(cnpgCrdDir());
  return loaded;
}

/**
 * The schema problem of one object under a CRD validator, as kubernetes-models words it, or
 * undefined when it validates.
 */
export function crdProblem(validator: CompiledSchema, object: K8sObject): string | undefined {
  try {
    runValidateFunc(validator, object);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
