/**
 * The simulated cluster's one CustomResourceDefinition (the CronTab of the Kubernetes docs), and how a CRD
 * turns into aggregated discovery, as the apiextensions server does it.
 */
import type { GroupDiscovery, ResourceDiscovery } from './api-resources';
import type { KubeObject } from './object-meta';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  subresources?: { status?: Record<string, never> };
  additionalPrinterColumns?: PrinterColumn[];
  schema?: { openAPIV3Schema: Record<string, unknown> };
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; [key: string]: unknown };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { plural: string; singular: string; kind: string; listKind: string; shortNames?: string[]; categories?: string[] };
    versions: CrdVersion[];
  };
  status?: Record<string, unknown>;
}

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
  },
  status: {
    acceptedNames: { kind: 'CronTab', listKind: 'CronTabList', plural: 'crontabs', shortNames: ['ct'], singular: 'crontab' },
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    storedVersions: ['v1'],
  },
};

/** A fresh copy of the CRD as a storable object. */
export function crontabCrdObject(): KubeObject {
  return structuredClone(CRONTAB_CRD) as unknown as KubeObject;
}

/** Groups served by CRDs: no strategic merge patch, deleted objects are returned, CR printing. */
const CUSTOM_GROUPS = new Set([CRONTAB_CRD.spec.group]);

export function isCustomResource(res: { group: string }): boolean {
  return CUSTOM_GROUPS.has(res.group);
}

/** The verbs the apiextensions server lists for every custom resource, in its order. */
const CR_VERBS = ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'];

export function crdDiscovery(crd: CustomResourceDefinition): GroupDiscovery {
  const { names, scope } = crd.spec;
  return {
    metadata: { creationTimestamp: null, name: crd.spec.group },
    versions: crd.spec.versions
      .filter((v) => v.served)
      .map((v) => {
        const resource: ResourceDiscovery = {
          ...(names.categories ? { categories: names.categories } : {}),
          resource: names.plural,
          responseKind: { group: '', kind: names.kind, version: '' },
          scope,
          ...(names.shortNames ? { shortNames: names.shortNames } : {}),
          singularResource: names.singular,
          ...(v.subresources?.status
            ? { subresources: [{ responseKind: { group: '', kind: names.kind, version: '' }, subresource: 'status', verbs: ['get', 'patch', 'update'] }] }
            : {}),
          verbs: CR_VERBS,
        };
        return { freshness: 'Current', resources: [resource], version: v.name };
      }),
  };
}
