/**
 * Users and RBAC objects for tests of a cluster that authorizes: `alice` may read pods (and their logs) in `default`
 * only and list nodes (through her group `dev`); `bob` may get one ConfigMap in `shop`; the service account
 * `default/robot` may get and exec into pods of `default` and nothing else; `carol` has a binding to a Role that is gone.
 */
import type { KubeObject, UserInfo } from '../../lib/sim';

const RBAC = 'rbac.authorization.k8s.io/v1';
const authenticated = (...groups: string[]) => [...groups, 'system:authenticated'];

/** Bearer tokens the sim is given, and whom each stands for. */
export const USERS: Record<string, UserInfo> = {
  'alice-token': { username: 'alice', groups: authenticated('dev') },
  'bob-token': { username: 'bob', groups: authenticated() },
  'carol-token': { username: 'carol', groups: authenticated() },
  'robot-token': {
    username: 'system:serviceaccount:default:robot',
    groups: authenticated('system:serviceaccounts', 'system:serviceaccounts:default'),
  },
};

const user = (name: string) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name });

/** A Role (with a namespace) or ClusterRole (without) holding `rules`. */
function role(name: string, namespace: string | undefined, rules: object[]): KubeObject {
  const metadata = namespace === undefined ? { name } : { name, namespace };
  return { apiVersion: RBAC, kind: namespace === undefined ? 'ClusterRole' : 'Role', metadata, rules };
}

/** A RoleBinding (with a namespace) or ClusterRoleBinding (without) of `roleRef` to `subjects`. */
function binding(
  name: string,
  namespace: string | undefined,
  roleRef: { kind: 'Role' | 'ClusterRole'; name: string },
  subjects: object[],
): KubeObject {
  const metadata = namespace === undefined ? { name } : { name, namespace };
  return {
    apiVersion: RBAC,
    kind: namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  };
}

export function rbacObjects(): KubeObject[] {
  return [
    role('pod-reader', 'default', [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
    ]),
    binding('alice-reads-pods', 'default', { kind: 'Role', name: 'pod-reader' }, [user('alice')]),
    role('node-lister', undefined, [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }]),
    binding('dev-lists-nodes', undefined, { kind: 'ClusterRole', name: 'node-lister' }, [
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'dev' },
    ]),
    role('app-config-reader', undefined, [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'], verbs: ['get'] },
    ]),
    binding('bob-reads-app-config', 'shop', { kind: 'ClusterRole', name: 'app-config-reader' }, [user('bob')]),
    role('exec-anything', undefined, [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['*/exec'], verbs: ['create'] },
    ]),
    // A service account subject without a namespace is the binding's own namespace's.
    binding('robot-execs', 'default', { kind: 'ClusterRole', name: 'exec-anything' }, [
      { kind: 'ServiceAccount', name: 'robot' },
    ]),
    role('secret-reader', undefined, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]),
    binding('carol-gone', 'shop', { kind: 'Role', name: 'gone' }, [user('carol')]),
  ];
}
