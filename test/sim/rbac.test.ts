/**
 * RBAC in the simulated cluster, with the real kubectl as the oracle: what `kubectl auth can-i` and `kubectl get`
 * report for a user's token must be what the Roles and bindings stored in the sim grant, and a denial must read as
 * kube-apiserver words it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimCluster, type KubeObject } from '../../lib/sim';
import { kubectl, kubectlOk, writeKubeconfig, type KubeconfigDir } from '../helpers/kubectl';
import { rbacObjects, USERS } from '../helpers/rbac-fixture';

let sim: SimCluster;
let config: KubeconfigDir;

beforeAll(async () => {
  sim = await startSim();
  for (const obj of rbacObjects()) sim.store.create(obj);
  for (const [token, user] of Object.entries(USERS)) sim.addToken(token, user);
  config = await writeKubeconfig(sim, 'token');
});

afterAll(async () => {
  await config?.remove();
  await sim?.close();
});

const as = (token: string, args: readonly string[]) => kubectl(config, ['--token', token, ...args]);
const canI = async (token: string, args: readonly string[]) =>
  (await as(token, ['auth', 'can-i', ...args])).stdout.trim();

describe('kubectl auth can-i agrees with the stored rules', () => {
  // [token, can-i arguments, answer]: namespaced Role, cluster-wide ClusterRoleBinding to a group, resourceNames,
  // a service account subject, subresources, and the bootstrap rules every authenticated user has.
  const cases: [string, string[], 'yes' | 'no'][] = [
    ['alice-token', ['list', 'pods', '-n', 'default'], 'yes'],
    ['alice-token', ['watch', 'pods', '-n', 'default'], 'yes'],
    ['alice-token', ['get', 'pods', '--subresource=log', '-n', 'default'], 'yes'],
    ['alice-token', ['create', 'pods', '--subresource=exec', '-n', 'default'], 'no'],
    ['alice-token', ['delete', 'pods', '-n', 'default'], 'no'],
    ['alice-token', ['list', 'pods', '-n', 'kube-system'], 'no'],
    ['alice-token', ['list', 'pods', '-A'], 'no'],
    ['alice-token', ['list', 'nodes'], 'yes'],
    ['alice-token', ['get', 'nodes/vm-live-01'], 'no'],
    ['alice-token', ['list', 'deployments.apps', '-n', 'default'], 'no'],
    ['alice-token', ['create', 'selfsubjectaccessreviews.authorization.k8s.io'], 'yes'],
    ['alice-token', ['get', '/version'], 'yes'],
    ['alice-token', ['get', '/metrics'], 'no'],
    ['bob-token', ['get', 'configmaps/app-config', '-n', 'shop'], 'yes'],
    ['bob-token', ['get', 'configmaps/other', '-n', 'shop'], 'no'],
    ['bob-token', ['list', 'configmaps', '-n', 'shop'], 'no'],
    ['robot-token', ['create', 'pods', '--subresource=exec', '-n', 'default'], 'yes'],
    ['robot-token', ['create', 'pods', '--subresource=exec', '-n', 'shop'], 'no'],
    ['robot-token', ['list', 'pods', '-n', 'default'], 'no'],
    ['admin', ['delete', 'nodes'], 'yes'],
  ];
  it.each(cases)('%s can-i %j → %s', async (token, args, answer) => {
    expect(await canI(token === 'admin' ? sim.token : token, args)).toBe(answer);
  });
});

describe('requests are authorized as kube-apiserver does', () => {
  it('serves what the Role grants', async () => {
    const out = await as('alice-token', ['get', 'pods', '-n', 'default', '-o', 'name']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('pod/busybox');
  });

  it('refuses a namespace the Role is not in, with the API server wording', async () => {
    const out = await as('alice-token', ['get', 'pods', '-n', 'kube-system']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "kube-system"',
    );
  });

  it('refuses a list across all namespaces at the cluster scope', async () => {
    const out = await as('alice-token', ['get', 'pods', '-A']);
    expect(out.stderr).toContain(
      'pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope',
    );
  });

  it('names the object and the group of a denied get', async () => {
    const res = await fetchAs('alice-token', '/apis/apps/v1/namespaces/default/deployments/web');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "default"',
      reason: 'Forbidden',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
      code: 403,
    });
  });

  it('refuses exec as `create pods/exec` on the websocket upgrade', async () => {
    const out = await as('alice-token', ['exec', '-n', 'default', 'busybox', '--', 'echo', 'hi']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('cannot create resource "pods/exec" in API group "" in the namespace "default"');
    const robot = await as('robot-token', ['exec', '-n', 'default', 'busybox', '--', 'echo', 'hi']);
    expect(robot.stdout.trim()).toBe('hi');
  });

  it('lists the rules of a namespace for kubectl auth can-i --list', async () => {
    const out = await kubectlOk(config, ['--token', 'alice-token', 'auth', 'can-i', '--list', '-n', 'default']);
    expect(out).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(out).toMatch(/^nodes\s+\[\]\s+\[\]\s+\[list\]$/m);
    expect(out).toMatch(/^\s+\[\/version\]\s+\[\]\s+\[get\]$/m);
  });

  it('follows RBAC objects as they change', async () => {
    expect(await canI('carol-token', ['list', 'secrets', '-n', 'default'])).toBe('no');
    const binding: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'carol-secrets', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'secret-reader' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'carol' }],
    };
    sim.store.create(binding);
    expect(await canI('carol-token', ['list', 'secrets', '-n', 'default'])).toBe('yes');
    // The RoleBinding to a missing Role in `shop` is named, as kube-apiserver names it.
    expect(await canI('carol-token', ['list', 'secrets', '-n', 'shop'])).toBe(
      'no - RBAC: role.rbac.authorization.k8s.io "gone" not found',
    );
    sim.store.delete('rolebindings', 'default', 'carol-secrets');
    expect(await canI('carol-token', ['list', 'secrets', '-n', 'default'])).toBe('no');
  });

  it('says which binding names a missing role', async () => {
    const res = await fetchAs('carol-token', '/api/v1/namespaces/shop/pods');
    expect(((await res.json()) as { message: string }).message).toBe(
      'pods is forbidden: User "carol" cannot list resource "pods" in API group "" in the namespace "shop": RBAC: role.rbac.authorization.k8s.io "gone" not found',
    );
  });

  it('logs who reached it and with which kind of credential, never the token', async () => {
    await fetchAs('alice-token', '/api/v1/namespaces/default/pods?limit=1');
    const entry = sim.requests().findLast((r) => r.url === '/api/v1/namespaces/default/pods?limit=1');
    expect(entry).toEqual({
      method: 'GET',
      url: '/api/v1/namespaces/default/pods?limit=1',
      user: 'alice',
      authorization: true,
      authorizationScheme: 'Bearer',
      cookie: false,
      clientCertificate: false,
      upgrade: false,
    });
    expect(JSON.stringify(sim.requests())).not.toContain('alice-token');
  });
});

async function fetchAs(token: string, path: string): Promise<Response> {
  const { Agent, fetch } = await import('undici');
  const dispatcher = new Agent({ connect: { ca: sim.caPem } });
  try {
    const res = await fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${token}` }, dispatcher });
    const body = await res.text();
    return new Response(body, { status: res.status });
  } finally {
    await dispatcher.close();
  }
}
