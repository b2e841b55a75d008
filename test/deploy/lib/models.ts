/**
 * Schema validation of rendered objects with the kubernetes-models classes (OpenAPI
 * schemas of Kubernetes, KEDA and the Prometheus operator compiled to validators).
 */
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { KObject } from './kustomize.ts';

interface ModelClass {
  new (data: never): { validate(): void };
}

const classes = new Map<string, ModelClass>(
  (
    [
      ['apps/v1', 'Deployment', Deployment],
      ['apps/v1', 'StatefulSet', StatefulSet],
      ['autoscaling/v2', 'HorizontalPodAutoscaler', HorizontalPodAutoscaler],
      ['batch/v1', 'Job', Job],
      ['networking.k8s.io/v1', 'NetworkPolicy', NetworkPolicy],
      ['policy/v1', 'PodDisruptionBudget', PodDisruptionBudget],
      ['v1', 'ConfigMap', ConfigMap],
      ['v1', 'Namespace', Namespace],
      ['v1', 'PersistentVolumeClaim', PersistentVolumeClaim],
      ['v1', 'Secret', Secret],
      ['v1', 'Service', Service],
      ['v1', 'ServiceAccount', ServiceAccount],
      ['keda.sh/v1alpha1', 'ScaledObject', ScaledObject],
      ['keda.sh/v1alpha1', 'TriggerAuthentication', TriggerAuthentication],
      ['monitoring.coreos.com/v1', 'ServiceMonitor', ServiceMonitor],
      ['monitoring.coreos.com/v1', 'PodMonitor', PodMonitor],
      ['monitoring.coreos.com/v1', 'PrometheusRule', PrometheusRule],
    ] as [string, string, ModelClass][]
  ).map(([apiVersion, kind, model]) => [`${apiVersion}/${kind}`, model]),
);

/** Schema problems of one object; throws for a kind the test does not know (add it above). */
export function schemaProblems(o: KObject): string | undefined {
  const Model = classes.get(`${o.apiVersion}/${o.kind}`);
  if (!Model)
    throw new Error(
      `${o.apiVersion} ${o.kind} (${o.metadata.name}): no schema registered in test/deploy/lib/models.ts`,
    );
  try {
    new Model(structuredClone(o) as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
