/**
 * deploy/ as a user applies it: rendered by the real `kubectl kustomize`, sent to the simulated cluster with
 * `kubectl apply --dry-run=server` (which validates every object as the API server would), and its Deployment's
 * flags read by kore-board's own CLI parser, so the manifests cannot name a flag or a port that does not exist.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../lib/node/cli';
import { kubectl, kubectlOk, simWithKubeconfig } from '../helpers/kubectl';

const run = promisify(execFile);

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

async function render(dir: string): Promise<{ yaml: string; objects: Manifest[] }> {
  const { stdout } = await run('kubectl', ['kustomize', dir]);
  return { yaml: stdout, objects: parseAllDocuments(stdout).map((d) => d.toJS() as Manifest) };
}

function find(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`${kind} ${name} is not rendered`);
  return found;
}

interface Container {
  args: string[];
  env: Array<{ name: string; value?: string }>;
  ports: Array<{ containerPort: number }>;
  securityContext: unknown;
  livenessProbe: { httpGet: unknown };
  readinessProbe: { httpGet: unknown };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts: Array<{ mountPath: string; readOnly?: boolean }>;
}

interface PodSpec {
  serviceAccountName: string;
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  containers: Container[];
}

function podSpecOf(objects: Manifest[]): { pod: PodSpec; container: Container } {
  const deployment = find(objects, 'Deployment', 'kore-board') as Manifest & { spec: { template: { spec: PodSpec } } };
  const pod = deployment.spec.template.spec;
  expect(pod.containers).toHaveLength(1);
  return { pod, container: pod.containers[0]! };
}

describe('deploy/ (read-only)', () => {
  const cluster = simWithKubeconfig('token');

  it('renders every object the in-cluster install needs, namespaced in kore-board', async () => {
    const { objects } = await render('deploy');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/kore-board-read',
      'ClusterRoleBinding/kore-board-read',
      'Deployment/kore-board',
      'Namespace/kore-board',
      'NetworkPolicy/kore-board',
      'Service/kore-board',
      'ServiceAccount/kore-board',
    ]);
    for (const o of objects.filter((x) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(x.kind)))
      expect(o.metadata.namespace, `${o.kind}`).toBe('kore-board');
  });

  it('probes /healthz and /readyz with a Host kore-board accepts, and runs locked down', async () => {
    const { pod, container } = podSpecOf((await render('deploy')).objects);
    expect(pod.serviceAccountName).toBe('kore-board');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const probe = (path: string) => ({ path, port: 'http', httpHeaders: [{ name: 'Host', value: 'localhost' }] });
    expect(container.livenessProbe.httpGet).toEqual(probe('/healthz'));
    expect(container.readinessProbe.httpGet).toEqual(probe('/readyz'));
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toEqual(expect.any(String));
    // A read-only root: everything kore-board writes goes to a mounted emptyDir.
    const writable = container.volumeMounts.filter((m) => m.readOnly !== true);
    expect(writable.map((m) => m.mountPath).sort()).toEqual(['/data', '/tmp']);
  });

  it("gives flags kore-board's CLI accepts, listening on the container's port with the access token on", async () => {
    const { container } = podSpecOf((await render('deploy')).objects);
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    const parsed = parseCli(container.args, env, '/home/nonroot');
    if (parsed.kind !== 'run') throw new Error(`the Deployment's flags are refused: ${JSON.stringify(parsed)}`);
    expect(parsed.config.listen.port).toBe(container.ports[0]?.containerPort);
    expect(parsed.config.auth).toBe('token');
    expect(parsed.config.dataDir).toBe('/data');
    expect(parsed.config.kubeconfigPaths).toEqual(['/etc/kore-board/kubeconfig/config']);
    expect(parsed.config.allowHosts).toContain('kore-board.kore-board.svc');
  });

  it('asks only to read, and not Secrets', async () => {
    const role = find((await render('deploy')).objects, 'ClusterRole', 'kore-board-read') as Manifest & {
      rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    };
    for (const rule of role.rules) {
      expect(rule.verbs.every((v) => ['get', 'list', 'watch'].includes(v))).toBe(true);
      if (rule.apiGroups.includes('')) expect(rule.resources).not.toContain('secrets');
      expect(rule.apiGroups).not.toContain('*');
      if (rule.apiGroups.includes('')) expect(rule.resources).not.toContain('*');
    }
  });

  it('is accepted by the API server in a server-side dry run, and nothing is created', async () => {
    const { yaml } = await render('deploy');
    // The namespace must exist for a server-side dry run of what goes in it, as on a real API server.
    await kubectlOk(cluster.config, ['create', 'namespace', 'kore-board']);
    const out = await kubectlOk(cluster.config, ['apply', '--dry-run=server', '-f', '-'], { input: yaml });
    expect(out.trim().split('\n')).toHaveLength(7);
    for (const line of out.trim().split('\n')) expect(line).toMatch(/\(server dry run\)$/);
    const after = await kubectl(cluster.config, ['get', 'deployment', 'kore-board', '-n', 'kore-board']);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('NotFound');
  });
});

describe('deploy/overlays/write', () => {
  const cluster = simWithKubeconfig('token');

  it('adds a write role bound to the same service account, and dry-runs', async () => {
    const { yaml, objects } = await render('deploy/overlays/write');
    const binding = find(objects, 'ClusterRoleBinding', 'kore-board-write') as Manifest & {
      roleRef: { name: string };
      subjects: Array<{ name: string; namespace: string }>;
    };
    expect(binding.roleRef.name).toBe('kore-board-write');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kore-board', namespace: 'kore-board' }]);
    const role = find(objects, 'ClusterRole', 'kore-board-write') as Manifest & { rules: Array<{ verbs: string[] }> };
    expect(role.rules.flatMap((r) => r.verbs)).toEqual(expect.arrayContaining(['create', 'patch', 'delete']));
    // Everything of the read-only install is still there.
    expect(objects).toHaveLength(9);
    await kubectlOk(cluster.config, ['create', 'namespace', 'kore-board']);
    const out = await kubectlOk(cluster.config, ['apply', '--dry-run=server', '-f', '-'], { input: yaml });
    expect(out.trim().split('\n')).toHaveLength(9);
  });
});
