/**
 * The simulated cluster's authorizer: `system:masters` may do everything (kube-apiserver's privileged group), anyone
 * else what the Roles, ClusterRoles and their bindings stored in the sim grant, plus the bootstrap rules of every
 * authenticated user. Bindings are indexed by subject and rebuilt only when an RBAC object was written.
 * Aggregated ClusterRoles (`aggregationRule`) are not computed: such a role grants the rules it stores, no more.
 */
import type { KubeObject } from '../object-meta';
import type { ApiResource } from '../api/resources';
import type { SimStore } from '../store/store';
import type { UserInfo } from '../http/auth';
import type { StatusError } from '../../errors';
import { requestAttributes, type RequestAttributes } from './attributes';
import { forbidden } from './forbidden';
import { asPolicyRule, AUTHENTICATED_RULES, MASTERS_GROUP, ruleCovers, type PolicyRule } from './rules';

/** Rules one binding grants, where they apply, and how RBAC names it in an "allowed by" reason. */
interface Grant {
  /** undefined: everywhere (a ClusterRoleBinding); otherwise only in this namespace. */
  namespace: string | undefined;
  rules: readonly PolicyRule[];
  source: string;
}

export interface Decision {
  allowed: boolean;
  /** Why, as kube-apiserver's RBAC authorizer words it; empty when it has nothing to say. */
  reason: string;
}

const RBAC_RESOURCES = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'] as const;

function rulesOf(obj: KubeObject | undefined): PolicyRule[] | undefined {
  if (obj === undefined) return undefined;
  const rules = Array.isArray(obj.rules) ? (obj.rules as unknown[]) : [];
  return rules.flatMap((r) => asPolicyRule(r) ?? []);
}

/** The index keys a binding's subject stands for: `u:<username>` or `g:<group>`. */
function subjectKey(subject: unknown, bindingNamespace: string | undefined): string | undefined {
  if (typeof subject !== 'object' || subject === null) return undefined;
  const s = subject as Record<string, unknown>;
  if (typeof s.name !== 'string') return undefined;
  switch (s.kind) {
    case 'User':
      return `u:${s.name}`;
    case 'Group':
      return `g:${s.name}`;
    case 'ServiceAccount': {
      const ns = typeof s.namespace === 'string' && s.namespace !== '' ? s.namespace : bindingNamespace;
      return ns === undefined ? undefined : `u:system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return undefined;
  }
}

interface Index {
  bySubject: Map<string, Grant[]>;
  /** Bindings whose role is missing, and where they apply: RBAC names them in its reason, as kube-apiserver does. */
  missing: Map<string, { namespace: string | undefined; error: string }[]>;
}

function buildIndex(store: SimStore): Index {
  const bySubject = new Map<string, Grant[]>();
  const missing: Index['missing'] = new Map();
  const add = (binding: KubeObject, namespace: string | undefined) => {
    const ref = (binding.roleRef ?? {}) as Record<string, unknown>;
    const roleName = String(ref.name ?? '');
    const clusterRole = ref.kind === 'ClusterRole';
    const rules = rulesOf(
      clusterRole ? store.get('clusterroles', undefined, roleName) : store.get('roles', namespace, roleName),
    );
    const bindingKind = namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding';
    const bindingName = namespace === undefined ? binding.metadata.name : `${binding.metadata.name}/${namespace}`;
    const roleKind = clusterRole ? 'ClusterRole' : 'Role';
    for (const subject of Array.isArray(binding.subjects) ? (binding.subjects as unknown[]) : []) {
      const key = subjectKey(subject, namespace);
      if (key === undefined) continue;
      if (rules === undefined) {
        const what = clusterRole ? 'clusterrole' : 'role';
        const list = missing.get(key) ?? [];
        list.push({ namespace, error: `${what}.rbac.authorization.k8s.io "${roleName}" not found` });
        missing.set(key, list);
        continue;
      }
      const grants = bySubject.get(key) ?? [];
      grants.push({ namespace, rules, source: `${bindingKind} "${bindingName}" of ${roleKind} "${roleName}"` });
      bySubject.set(key, grants);
    }
  };
  for (const b of store.list('clusterrolebindings')) add(b, undefined);
  for (const b of store.list('rolebindings')) add(b, b.metadata.namespace);
  return { bySubject, missing };
}

function subjectLabel(key: string): string {
  return key.startsWith('g:') ? `Group "${key.slice(2)}"` : `User "${key.slice(2)}"`;
}

export class RbacAuthorizer {
  private index: Index | undefined;
  private revision: number[] = [];
  /** The four RBAC resources, resolved once: they are built in, unlike CRDs. */
  private readonly resources: ApiResource[];

  constructor(private readonly store: SimStore) {
    this.resources = RBAC_RESOURCES.map((r) => store.resource(r));
  }

  private current(): Index {
    // Four numbers compared on every check (a string join cost more than the check itself).
    const revision = this.resources.map((r) => this.store.lastWriteOf(r));
    if (this.index === undefined || revision.some((rv, i) => rv !== this.revision[i])) {
      this.index = buildIndex(this.store);
      this.revision = revision;
    }
    return this.index;
  }

  private keysOf(user: UserInfo): string[] {
    return [`u:${user.username}`, ...user.groups.map((g) => `g:${g}`)];
  }

  authorize(user: UserInfo, attrs: RequestAttributes): Decision {
    if (user.groups.includes(MASTERS_GROUP)) return { allowed: true, reason: '' };
    const namespace = attrs.kind === 'resource' ? attrs.namespace : '';
    const index = this.current();
    const errors: string[] = [];
    // A RoleBinding grants nothing on cluster-scoped requests or lists across namespaces.
    const applies = (bindingNamespace: string | undefined) =>
      bindingNamespace === undefined || (attrs.kind === 'resource' && bindingNamespace === namespace);
    for (const key of this.keysOf(user)) {
      for (const grant of index.bySubject.get(key) ?? []) {
        if (applies(grant.namespace) && grant.rules.some((rule) => ruleCovers(rule, attrs)))
          return { allowed: true, reason: `RBAC: allowed by ${grant.source} to ${subjectLabel(key)}` };
      }
      for (const m of index.missing.get(key) ?? []) if (applies(m.namespace)) errors.push(m.error);
    }
    if (user.groups.includes('system:authenticated') && AUTHENTICATED_RULES.some((rule) => ruleCovers(rule, attrs)))
      return { allowed: true, reason: '' };
    // Go's error aggregate: one error as it is, several in brackets.
    const reason = errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}`;
    return { allowed: false, reason };
  }

  /**
   * The 403 for a request RBAC denies, or undefined. `system:masters` is let through before any attribute is
   * derived: every test and benchmark runs as an admin, and its requests cost nothing extra.
   */
  refuse(user: UserInfo, method: string, url: URL, upgrade: boolean): StatusError | undefined {
    if (user.groups.includes(MASTERS_GROUP)) return undefined;
    const attrs = requestAttributes(method, url.pathname, url.searchParams, upgrade);
    const decision = this.authorize(user, attrs);
    return decision.allowed ? undefined : forbidden(user.username, attrs, decision.reason);
  }

  /** Every rule that applies to `user` in `namespace` (cluster-wide ones included): SelfSubjectRulesReview. */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    if (user.groups.includes(MASTERS_GROUP))
      return [
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        { verbs: ['*'], nonResourceURLs: ['*'] },
      ];
    const index = this.current();
    const rules = this.keysOf(user).flatMap((key) =>
      (index.bySubject.get(key) ?? []).flatMap((g) =>
        g.namespace === undefined || g.namespace === namespace ? g.rules : [],
      ),
    );
    return user.groups.includes('system:authenticated') ? [...rules, ...AUTHENTICATED_RULES] : rules;
  }
}
