/**
 * RBAC PolicyRules and how one covers a request, as kube-apiserver's RBAC authorizer matches them (`*` everywhere,
 * `resource/subresource`, `*\/subresource`, resourceNames, nonResourceURLs with a trailing `*`). Pure functions.
 */
import type { NonResourceAttributes, RequestAttributes, ResourceAttributes } from './attributes';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const has = (list: readonly string[] | undefined, value: string) =>
  list !== undefined && (list.includes('*') || list.includes(value));

function resourceMatches(rule: PolicyRule, attrs: ResourceAttributes): boolean {
  const combined = attrs.subresource === '' ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
  return (rule.resources ?? []).some(
    (r) => r === '*' || r === combined || (attrs.subresource !== '' && r === `*/${attrs.subresource}`),
  );
}

function coversResource(rule: PolicyRule, attrs: ResourceAttributes): boolean {
  if (!has(rule.verbs, attrs.verb) || !has(rule.apiGroups, attrs.apiGroup) || !resourceMatches(rule, attrs))
    return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(attrs.name);
}

function coversPath(rule: PolicyRule, attrs: NonResourceAttributes): boolean {
  if (!has(rule.verbs, attrs.verb)) return false;
  return (rule.nonResourceURLs ?? []).some(
    (url) => url === '*' || url === attrs.path || (url.endsWith('*') && attrs.path.startsWith(url.slice(0, -1))),
  );
}

export function ruleCovers(rule: PolicyRule, attrs: RequestAttributes): boolean {
  return attrs.kind === 'resource' ? coversResource(rule, attrs) : coversPath(rule, attrs);
}

/** A rule as stored: anything else in an RBAC object's `rules` is ignored, as the API server would refuse it. */
export function asPolicyRule(value: unknown): PolicyRule | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const strings = (x: unknown) => (Array.isArray(x) && x.every((s) => typeof s === 'string') ? x : undefined);
  const verbs = strings(v.verbs);
  if (verbs === undefined) return undefined;
  const rule: PolicyRule = { verbs };
  for (const key of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
    const list = strings(v[key]);
    if (list !== undefined) rule[key] = list;
  }
  return rule;
}

/**
 * What every authenticated user may do on a fresh cluster: the bootstrap ClusterRoles `system:discovery`,
 * `system:public-info-viewer` and `system:basic-user`, bound to `system:authenticated`.
 */
export const AUTHENTICATED_RULES: readonly PolicyRule[] = [
  {
    verbs: ['get'],
    nonResourceURLs: [
      '/api',
      '/api/*',
      '/apis',
      '/apis/*',
      '/healthz',
      '/livez',
      '/openapi',
      '/openapi/*',
      '/readyz',
      '/version',
      '/version/',
    ],
  },
  {
    verbs: ['create'],
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];

/** The group kube-apiserver lets do everything without asking RBAC. */
export const MASTERS_GROUP = 'system:masters';
