import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  indexFromAggregated,
  indexFromResourceLists,
  type AggregatedDiscovery,
  type APIResourceList,
} from '../../lib/kube/resource-index';

// Documents a real kube-apiserver produced (copied from shared/k8s-reference into the simulator).
const reference = (name: string): unknown =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../lib/sim/discovery/${name}`, import.meta.url)), 'utf8'));

describe('resource index', () => {
  it('maps kinds to resources from aggregated discovery, preferring the first listed version', () => {
    const index = indexFromAggregated([reference('aggregated_v2.json') as AggregatedDiscovery]);
    expect(index.forKind('apps/v1', 'Deployment')).toMatchObject({
      resource: 'deployments',
      namespaced: true,
      group: 'apps',
      version: 'v1',
      preferred: true,
    });
    expect(index.forKind('rbac.authorization.k8s.io/v1', 'ClusterRole')).toMatchObject({
      resource: 'clusterroles',
      namespaced: false,
    });
    expect(index.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition')?.resource).toBe(
      'customresourcedefinitions',
    );
    expect(index.forKind('apps/v1', 'Nope')).toBeUndefined();
    const autoscaling = index
      .all()
      .filter((r) => r.group === 'autoscaling' && r.resource === 'horizontalpodautoscalers');
    expect(autoscaling.find((r) => r.preferred)?.version).toBe('v2');
  });

  it('maps kinds from legacy resource lists, skipping subresources', () => {
    const core = reference('api__v1.json') as APIResourceList;
    const apps = reference('apis__apps__v1.json') as APIResourceList;
    const index = indexFromResourceLists([core, apps], new Map([['apps', 'v1']]));
    expect(index.forKind('v1', 'Namespace')).toMatchObject({
      resource: 'namespaces',
      namespaced: false,
      group: '',
      preferred: true,
    });
    expect(index.forKind('v1', 'Pod')?.resource).toBe('pods');
    expect(index.forKind('apps/v1', 'Deployment')?.resource).toBe('deployments');
    expect(index.all().some((r) => r.resource.includes('/'))).toBe(false);
  });
});
