/**
 * Schema validation of every object by apiVersion and kind, with the kubernetes-models packages
 * (Kubernetes, Istio, Knative, ArgoCD, SealedSecret, KEDA) and, for CloudNativePG's kinds, the
 * CRDs kept beside the repository (crd-schemas.ts). A kind without a schema here is a problem
 * too, so a new kind cannot slip in unchecked. Knative's schema leaves a Service's pod template
 * open (any fields pass), so that template is also checked as a Kubernetes pod template.
 */
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { Gateway } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway';
import { ServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy';
import { RequestAuthentication } from '@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import { Service as KnativeService } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { SealedSecret } from '@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { PodTemplate } from 'kubernetes-models/v1/PodTemplate';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { CNPG_KINDS, cnpgSchemas, crdProblem, type CrdSchemas } from './crd-schemas';
import type { K8sObject, Loose } from './manifests';

type Model = new (data: Loose) => { validate(): void };

const models: Record<string, Model> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.istio.io/v1beta1/Gateway': Gateway,
  'networking.istio.io/v1beta1/VirtualService': VirtualService,
  'networking.istio.io/v1beta1/ServiceEntry': ServiceEntry,
  'networking.istio.io/v1beta1/DestinationRule': DestinationRule,
  'security.istio.io/v1beta1/PeerAuthentication': PeerAuthentication,
  'security.istio.io/v1/AuthorizationPolicy': AuthorizationPolicy,
  'security.istio.io/v1/RequestAuthentication': RequestAuthentication,
  'serving.knative.dev/v1/Service': KnativeService,
  'argoproj.io/v1alpha1/Application': Application,
  'argoproj.io/v1alpha1/AppProject': AppProject,
  'bitnami.com/v1alpha1/SealedSecret': SealedSecret,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

const isCnpgKind = (key: string) => (CNPG_KINDS as readonly string[]).includes(key);

/** The objects of CloudNativePG's kinds, whose schemas come from its CRDs. */
export function cnpgObjects(objects: K8sObject[]): K8sObject[] {
  return objects.filter((o) => isCnpgKind(`${o.apiVersion}/${o.kind}`));
}

/**
 * The schema problems of some objects, one line each (empty when all validate). CloudNativePG
 * objects are validated with `crds`; when its folder is absent they are left out here (and
 * schemas.test.ts says their check is skipped).
 */
export function schemaProblems(objects: K8sObject[], crds: CrdSchemas = cnpgSchemas()): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    const id = `${object.kind ?? '?'} ${object.metadata?.name ?? '?'}`;
    const key = `${object.apiVersion}/${object.kind}`;
    if (isCnpgKind(key)) {
      if (!crds.found) continue;
      const validator = crds.validators.get(key);
      const problem = validator
        ? crdProblem(validator, object)
        : `no schema for ${object.apiVersion} ${object.kind} in ${crds.dir}`;
      if (problem) problems.push(`${id}: ${problem}`);
      continue;
    }
    const model = models[key];
    if (!model) {
      problems.push(`${id}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    if (!object.metadata?.name) problems.push(`${id}: metadata.name is required`);
    try {
      new model(object).validate();
    } catch (error) {
      problems.push(`${id}: ${(error as Error).message}`);
    }
    if (object.kind === 'Service' && object.apiVersion === 'serving.knative.dev/v1') {
      try {
        new PodTemplate({
          metadata: { name: object.metadata.name },
          template: object.spec?.template,
        }).validate();
      } catch (error) {
        problems.push(`${id} (pod template): ${(error as Error).message}`);
      }
    }
  }
  return problems;
}
