/**
 * CustomResourceDefinitions as the simulated apiextensions server reads them: the object's shape, whether it
 * is established (served), and the demo cluster's one CRD (the CronTab of the Kubernetes docs).
 */
import type { KubeObject } from '../object-meta';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  subresources?: { status?: Record<string, never>; scale?: ScaleSubresource };
  additionalPrinterColumns?: PrinterColumn[];
  schema?: { openAPIV3Schema: Record<string, unknown> };
}

export interface CrdNames {
  plural: string;
  singular?: string;
  kind: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface CrdCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface CrdStatus {
  acceptedNames: CrdNames;
  conditions?: CrdCondition[];
  storedVersions?: string[];
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; [key: string]: unknown };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: CrdNames;
    versions: CrdVersion[];
    conversion?: { strategy: string };
  };
  status?: CrdStatus;
}

/** Where CRD objects are kept in the store (ApiResource.storageKey). */
export const CRD_STORAGE_KEY = 'apiextensions.k8s.io/customresourcedefinitions';

export function isCrdResource(res: { storageKey: string }): boolean {
  return res.storageKey === CRD_STORAGE_KEY;
}

/** Whether a resource is served by a CRD (no strategic merge patch, deleted objects returned, CRD printing). */
export function isCustomResource(res: { crd?: CustomResourceDefinition }): boolean {
  return res.crd !== undefined;
}

/** A stored object viewed as a CRD (the store validated its shape when it was written). */
export function asCrd(obj: KubeObject): CustomResourceDefinition {
  return obj as unknown as CustomResourceDefinition;
}

export function crdCondition(crd: CustomResourceDefinition, type: string): CrdCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/** Served only once established, as the apiextensions server does (its handlers ignore the others). */
export function isEstablished(crd: CustomResourceDefinition): boolean {
  return crdCondition(crd, 'Established')?.status === 'True';
}

/** The demo's CRD as a user would write it; the store establishes it when it is loaded or created. */
export const CRONTAB_CRD: CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
          { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: { cronSpec: { type: 'string' }, image: { type: 'string' }, replicas: { type: 'integer' } },
              },
              status: { type: 'object', properties: { lastScheduleTime: { type: 'string', format: 'date-time' } } },
            },
          },
        },
      },
    ],
    conversion: { strategy: 'None' },
  },
};

/** A fresh copy of the CRD as a storable object. */
export function crontabCrdObject(): KubeObject {
  return structuredClone(CRONTAB_CRD) as unknown as KubeObject;
}
