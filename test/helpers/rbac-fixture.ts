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

export function rbacObjects(): KubeObject[] {
  return [
    {
      apiVersion: RBAC,
      kind: 'Role',
      metadata: { name: 'pod-reader', namespace: 'default' },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      ],
    },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name: 'alice-reads-pods', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [user('alice')],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: 'node-lister' },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'dev-lists-nodes' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-lister' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'dev' }],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: 'app-config-reader' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'], verbs: ['get'] }],
    },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name: 'bob-reads-app-config', namespace: 'shop' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'app-config-reader' },
      subjects: [user('bob')],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: 'exec-anything' },
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
        { apiGroups: [''], resources: ['*/exec'], verbs: ['create'] },
      ],
    },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name: 'robot-execs', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'exec-anything' },
      subjects: [{ kind: 'ServiceAccount', name: 'robot' }],
    },
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: 'secret-reader' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }],
    },
    {
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name: 'carol-gone', namespace: 'shop' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gone' },
      subjects: [user('carol')],
    },
  ];
}
