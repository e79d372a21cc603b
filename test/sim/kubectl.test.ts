/**
 * The real kubectl (v1.32) against the simulated API server directly, once per credential kind: client
 * certificate, bearer token, and an exec credential plugin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimCluster } from '../../lib/sim';
import { AUTH_KINDS, kubectl, kubectlOk, kubectlStream, writeKubeconfig, type KubeconfigDir } from '../helpers/kubectl';

let sim: SimCluster;

beforeAll(async () => {
  sim = await startSim();
});

afterAll(async () => {
  await sim?.close();
});

const rows = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));

describe.each(AUTH_KINDS)('kubectl with %s credentials', (auth) => {
  let config: KubeconfigDir;
  const name = (base: string) => `${base}-${auth}`;

  beforeAll(async () => {
    config = await writeKubeconfig(sim, auth);
  });

  afterAll(async () => {
    await config?.remove();
  });

  it('get nodes', async () => {
    const out = await kubectlOk(config, ['get', 'nodes']);
    expect(rows(out)).toEqual([
      ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
      ['vm-live-01', 'Ready', 'control-plane', '30d', 'v1.32.4'],
      ['vm-live-02', 'Ready', '<none>', '30d', 'v1.32.4'],
      ['vm-live-03', 'NotReady', '<none>', '30d', 'v1.32.4'],
    ]);
  });

  it('get pods -A', async () => {
    const table = rows(await kubectlOk(config, ['get', 'pods', '-A']));
    expect(table[0]).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(table).toContainEqual(['default', 'busybox', '1/1', 'Running', '0', '2d']);
    expect(table.find((r) => r[1] === 'batch-worker')?.slice(0, 4)).toEqual(['shop', 'batch-worker', '0/1', 'Pending']);
    expect(table.find((r) => r[1] === 'flaky-api')?.slice(0, 4)).toEqual([
      'shop',
      'flaky-api',
      '0/1',
      'CrashLoopBackOff',
    ]);
  });

  it('get pods -w prints a change made after it started', async () => {
    const watch = kubectlStream(config, ['get', 'pods', '-w']);
    try {
      await watch.waitFor((out) => out.includes('busybox'));
      sim.store.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: name('watched'), namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      });
      const line = new RegExp(`^${name('watched')}\\s+1/1\\s+Running\\s+0\\s+\\d+s$`, 'm');
      expect(await watch.waitFor((o) => line.test(o))).toMatch(line);
    } finally {
      await watch.stop();
    }
  });

  it('apply -f (client-side): creates, then configures what changed', async () => {
    const manifest = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name('app')}
  labels: {team: a}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name('app')}}}
  template:
    metadata: {labels: {app: ${name('app')}}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env: [{name: MODE, value: demo}]
`;
    expect(await kubectlOk(config, ['apply', '-f', '-'], { input: manifest(2) })).toBe(
      `deployment.apps/${name('app')} created\n`,
    );
    expect(await kubectlOk(config, ['apply', '-f', '-'], { input: manifest(2) })).toBe(
      `deployment.apps/${name('app')} unchanged\n`,
    );
    expect(await kubectlOk(config, ['apply', '-f', '-'], { input: manifest(3) })).toBe(
      `deployment.apps/${name('app')} configured\n`,
    );
    const stored = sim.store.get('deployments', 'default', name('app'));
    expect(stored?.spec).toMatchObject({ replicas: 3 });
    expect(stored?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain(
      '"replicas":3',
    );
  });

  it('apply --server-side: creates with an Apply managedFields entry, then is a no-op', async () => {
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name('ssa')}\ndata:\n  key: value\n`;
    expect(await kubectlOk(config, ['apply', '--server-side', '-f', '-'], { input: manifest })).toBe(
      `configmap/${name('ssa')} serverside-applied\n`,
    );
    const first = sim.store.get('configmaps', 'default', name('ssa'));
    expect(first?.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'kubectl', operation: 'Apply' }),
    ]);
    await kubectlOk(config, ['apply', '--server-side', '-f', '-'], { input: manifest });
    expect(sim.store.get('configmaps', 'default', name('ssa'))?.metadata.resourceVersion).toBe(
      first?.metadata.resourceVersion,
    );
  });

  it('patch --type merge, json and strategic', async () => {
    const target = ['deployment', name('app')];
    await kubectlOk(config, [
      'patch',
      ...target,
      '--type',
      'merge',
      '-p',
      '{"metadata":{"labels":{"patched":"merge"}}}',
    ]);
    await kubectlOk(config, [
      'patch',
      ...target,
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/replicas","value":1}]',
    ]);
    await kubectlOk(config, [
      'patch',
      ...target,
      '--type',
      'strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}',
    ]);
    const d = sim.store.get('deployments', 'default', name('app'));
    expect(d?.metadata.labels).toEqual({ team: 'a', patched: 'merge' });
    expect(d?.spec).toMatchObject({
      replicas: 1,
      template: {
        spec: { containers: [{ name: 'web', image: 'nginx:1.28', env: [{ name: 'MODE', value: 'demo' }] }] },
      },
    });
    const failed = await kubectl(config, [
      'patch',
      ...target,
      '--type',
      'json',
      '-p',
      '[{"op":"test","path":"/spec/replicas","value":7}]',
    ]);
    expect(failed.code).not.toBe(0);
  });

  it('delete', async () => {
    expect(await kubectlOk(config, ['delete', 'deployment', name('app')])).toBe(
      `deployment.apps "${name('app')}" deleted\n`,
    );
    expect(sim.store.get('deployments', 'default', name('app'))).toBeUndefined();
    const missing = await kubectl(config, ['delete', 'configmap', 'no-such-thing']);
    expect(missing.stderr).toContain('Error from server (NotFound): configmaps "no-such-thing" not found');
  });

  it('logs', async () => {
    sim.store.logs.append('default', 'busybox', 'busybox', `last words (${auth})`);
    // The simulated busybox also prints a line every few seconds, which may land after ours.
    const tail = (await kubectlOk(config, ['logs', 'busybox', '--tail=3'])).split('\n');
    expect(tail).toHaveLength(4);
    expect(tail).toContain(`last words (${auth})`);
    const multi = await kubectl(config, ['logs', '-n', 'shop', 'web-with-sidecar', '-c', 'nope']);
    expect(multi.stderr).toContain('container nope is not valid for pod web-with-sidecar');
  });

  it('logs -f: lines arrive while following', async () => {
    const follow = kubectlStream(config, ['logs', '-f', 'busybox', '--tail=0']);
    try {
      // Append until the follower (which connects asynchronously) has seen one.
      const appender = setInterval(
        () => sim.store.logs.append('default', 'busybox', 'busybox', `live line (${auth})`),
        100,
      );
      try {
        await follow.waitFor((out) => out.includes(`live line (${auth})`));
      } finally {
        clearInterval(appender);
      }
    } finally {
      await follow.stop();
    }
  });

  it('exec POD -- echo hi', async () => {
    expect(await kubectlOk(config, ['exec', 'busybox', '--', 'echo', 'hi'])).toBe('hi\n');
    const failing = await kubectl(config, ['exec', 'busybox', '--', 'sh', '-c', 'exit 3']);
    expect([failing.code, failing.stderr]).toEqual([3, 'command terminated with exit code 3\n']);
  });

  it('api-resources', async () => {
    const table = rows(await kubectlOk(config, ['api-resources']));
    expect(table[0]).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    expect(table).toContainEqual(['pods', 'po', 'v1', 'true', 'Pod']);
    expect(table).toContainEqual(['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    expect(table).toContainEqual(['crontabs', 'ct', 'stable.example.com/v1', 'true', 'CronTab']);
    expect(table).toContainEqual(['nodes', 'metrics.k8s.io/v1beta1', 'false', 'NodeMetrics']);
    expect(table.filter((r) => r.some((c) => /alpha|beta/.test(c) && !c.startsWith('metrics')))).toEqual([]);
  });

  it('top nodes', async () => {
    const table = rows(await kubectlOk(config, ['top', 'nodes']));
    expect(table[0]).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    expect(table[1]).toEqual([
      'vm-live-01',
      expect.stringMatching(/^\d+m$/),
      expect.stringMatching(/^\d+%$/),
      expect.stringMatching(/^\d+Mi$/),
      expect.stringMatching(/^\d+%$/),
    ]);
    expect(table.find((r) => r[0] === 'vm-live-03')?.[1]).toBe('<unknown>');
  });
});

describe('kubectl beyond the per-credential commands (typed clients send protobuf)', () => {
  let config: KubeconfigDir;

  beforeAll(async () => {
    config = await writeKubeconfig(sim, 'token');
  });

  afterAll(async () => {
    await config?.remove();
  });

  it('create namespace, configmap, secret, service and deployment decode to the objects kubectl meant', async () => {
    await kubectlOk(config, ['create', 'namespace', 'pb']);
    expect(sim.store.get('namespaces', undefined, 'pb')?.status).toEqual({ phase: 'Active' });
    await kubectlOk(config, [
      'create',
      'configmap',
      'pb-cm',
      '-n',
      'pb',
      '--from-literal=a=b',
      '--from-literal=empty=',
    ]);
    expect(sim.store.get('configmaps', 'pb', 'pb-cm')?.data).toEqual({ a: 'b', empty: '' });
    await kubectlOk(config, ['create', 'secret', 'generic', 'pb-secret', '-n', 'pb', '--from-literal=password=s3cr3t']);
    expect(sim.store.get('secrets', 'pb', 'pb-secret')).toMatchObject({
      type: 'Opaque',
      data: { password: Buffer.from('s3cr3t').toString('base64') },
    });
    await kubectlOk(config, ['create', 'service', 'clusterip', 'pb-svc', '-n', 'pb', '--tcp=80:http']);
    expect(sim.store.get('services', 'pb', 'pb-svc')?.spec).toMatchObject({
      ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }],
      selector: { app: 'pb-svc' },
    });
    await kubectlOk(config, [
      'create',
      'deployment',
      'pb-deploy',
      '-n',
      'pb',
      '--image=nginx:1.27',
      '--replicas=0',
      '--port=8080',
    ]);
    const d = sim.store.get('deployments', 'pb', 'pb-deploy');
    expect(d?.spec).toMatchObject({
      replicas: 0,
      selector: { matchLabels: { app: 'pb-deploy' } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'pb-deploy' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080 }], resources: {} }] },
      },
    });
    expect(rows(await kubectlOk(config, ['get', 'deploy', '-n', 'pb']))[1]?.slice(0, 2)).toEqual(['pb-deploy', '0/0']);
  });

  it('set image, then rollout status and wait see the rollout finished', async () => {
    await kubectlOk(config, ['set', 'image', 'deployment/web', '-n', 'shop', 'nginx=nginx:1.28']);
    expect(await kubectlOk(config, ['rollout', 'status', 'deployment/web', '-n', 'shop', '--timeout=5s'])).toBe(
      'deployment "web" successfully rolled out\n',
    );
    expect(
      await kubectlOk(config, ['wait', '--for=condition=Available', 'deployment/web', '-n', 'shop', '--timeout=5s']),
    ).toBe('deployment.apps/web condition met\n');
  });

  it('auth can-i, auth whoami and create token answer without storing anything', async () => {
    expect(await kubectlOk(config, ['auth', 'can-i', 'delete', 'pods', '-A'])).toBe('yes\n');
    expect(await kubectlOk(config, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).toBe(
      'kubernetes-admin',
    );
    const token = (await kubectlOk(config, ['create', 'token', 'default', '-n', 'pb'])).trim();
    expect(token.split('.')).toHaveLength(3);
    sim.revokeToken(sim.token);
    try {
      const asServiceAccount = await kubectl(config, [
        '--token',
        token,
        'auth',
        'whoami',
        '-o',
        'jsonpath={.status.userInfo.username}',
      ]);
      expect(asServiceAccount.stdout).toBe('system:serviceaccount:pb:default');
    } finally {
      sim.addToken(sim.token);
    }
    expect(sim.store.list('selfsubjectaccessreviews')).toEqual([]);
  });
});
