/**
 * The real kubectl, pointed at `/raw/clusters/<context>` (`kubectl --server http://127.0.0.1:PORT/raw/clusters/CTX`,
 * no credentials of its own), driving the simulated cluster through the proxy — once for each kind of
 * context credential: client certificate, bearer token, exec plugin. The context names carry `@`, `:` and `/`.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRegistry } from '../../lib/clusters/types';
import type { RunningServer } from '../../lib/node/server';
import { startSim, type SimCluster } from '../../lib/sim';
import { contextsFor, kubeconfigYaml, registryFor, startProxy, tempDir } from '../helpers/raw-stack';

let sim: SimCluster;
let registry: ClusterRegistry;
let proxy: RunningServer;
let dir: string;
let directKubeconfig: string;

const CONTEXTS = {
  cert: 'kubernetes-admin@sim',
  token: 'token-user@sim',
  exec: 'arn:aws:eks:eu-west-1:123456789012:cluster/sim-exec',
} as const;
const EXEC_TOKEN = 'exec-plugin-token-1';

beforeAll(async () => {
  sim = await startSim();
  dir = tempDir('raw-kubectl');
  sim.addToken(EXEC_TOKEN);
  const { specs } = contextsFor(sim, dir, 'sim', EXEC_TOKEN);
  const named = specs.map((s, i) => ({ ...s, name: Object.values(CONTEXTS)[i] as string }));
  registry = await registryFor(kubeconfigYaml(named));
  proxy = await startProxy(registry);
  directKubeconfig = join(dir, 'direct.yaml');
  writeFileSync(directKubeconfig, kubeconfigYaml([named[0]!]));
});

afterAll(async () => {
  await proxy?.close(100);
  await registry?.close();
  await sim?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const env = () => ({ ...process.env, HOME: dir, KUBECACHEDIR: join(dir, 'cache'), KUBECONFIG: '' });

function kubectl(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      args,
      { env: env(), timeout: 20_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code =
          err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

function viaProxy(context: string): string[] {
  return ['--kubeconfig', '/dev/null', '--server', `${proxy.url}/raw/clusters/${encodeURIComponent(context)}`];
}

const direct = (args: string[]) => kubectl(['--kubeconfig', directKubeconfig, ...args]);

/** A long-running kubectl (watch, logs -f) whose output lines are collected as they come. */
function startKubectl(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  waitFor(n: number): Promise<void>;
} {
  const child = spawn('kubectl', args, { env: env() });
  const lines: string[] = [];
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l !== ''));
  });
  return {
    child,
    lines,
    waitFor: (n) => expect.poll(() => lines.length, { timeout: 10_000, interval: 25 }).toBeGreaterThanOrEqual(n),
  };
}

/** Watches and followed logs each hold one subscription to the simulated store while their upstream request is open. */
const openStreams = () => sim.store.subscriberCount;

function killAndWait(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function manifest(name: string, kind: 'ConfigMap' | 'Deployment'): string {
  const path = join(dir, `${name}-${kind}.json`);
  const obj =
    kind === 'ConfigMap'
      ? { apiVersion: 'v1', kind, metadata: { name, namespace: 'default' }, data: { a: '1' } }
      : {
          apiVersion: 'apps/v1',
          kind,
          metadata: { name, namespace: 'default' },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: { containers: [{ name: 'app', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }] }] },
            },
          },
        };
  writeFileSync(path, JSON.stringify(obj));
  return path;
}

describe.each(Object.entries(CONTEXTS))('kubectl through /raw with a %s context', (kind, context) => {
  const k = (args: string[], stdin?: string) => kubectl([...viaProxy(context), ...args], stdin);
  const name = `raw-${kind}`;

  it('get (table)', async () => {
    const r = await k(['get', 'pods', '-n', 'default']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^NAME\s+READY\s+STATUS/);
    expect(r.stdout).toMatch(/\nbusybox\s+1\/1\s+Running/);
  });

  it('get -o json equals the same call made directly', async () => {
    const [through, straight] = await Promise.all([
      k(['get', 'pods', '-A', '-o', 'json']),
      direct(['get', 'pods', '-A', '-o', 'json']),
    ]);
    expect(through.code).toBe(0);
    const items = (JSON.parse(through.stdout) as { items: unknown[] }).items;
    expect(items.length).toBeGreaterThan(5);
    expect(JSON.parse(through.stdout)).toEqual(JSON.parse(straight.stdout));
  });

  it('api-resources', async () => {
    const r = await k(['api-resources', '-o', 'wide']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\npods\s+po\s+v1\s+true\s+Pod\s/);
    expect(r.stdout).toMatch(/\ndeployments\s+deploy\s+apps\/v1\s+true\s+Deployment\s/);
  });

  it('top pods', async () => {
    const r = await k(['top', 'pods', '-n', 'default']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/\nbusybox\s+\d+m\s+\d+Mi/);
  });

  it('apply -f, apply --server-side, patch merge/json/strategic, delete', async () => {
    const cm = manifest(name, 'ConfigMap');
    expect((await k(['apply', '-f', cm])).stdout.trim()).toBe(`configmap/${name} created`);
    expect((await k(['apply', '--server-side', '-f', cm])).stdout.trim()).toBe(`configmap/${name} serverside-applied`);
    expect(
      (
        await k(['patch', 'configmap', name, '-n', 'default', '--type', 'merge', '-p', '{"data":{"b":"2"}}'])
      ).stdout.trim(),
    ).toBe(`configmap/${name} patched`);
    expect(
      (
        await k([
          'patch',
          'configmap',
          name,
          '-n',
          'default',
          '--type',
          'json',
          '-p',
          '[{"op":"replace","path":"/data/a","value":"one"}]',
        ])
      ).code,
    ).toBe(0);
    const data = await direct(['get', 'configmap', name, '-n', 'default', '-o', 'jsonpath={.data}']);
    expect(JSON.parse(data.stdout)).toEqual({ a: 'one', b: '2' });

    // Strategic merge: the container list is merged by name, so env gains B and keeps A.
    const deploy = manifest(name, 'Deployment');
    expect((await k(['apply', '-f', deploy])).stdout.trim()).toBe(`deployment.apps/${name} created`);
    const strategic = await k([
      'patch',
      'deployment',
      name,
      '-n',
      'default',
      '--type',
      'strategic',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"2"}]}]}}}}',
    ]);
    expect(strategic.stdout.trim()).toBe(`deployment.apps/${name} patched`);
    const env = await direct([
      'get',
      'deployment',
      name,
      '-n',
      'default',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].env}',
    ]);
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect((JSON.parse(env.stdout) as { name: string }[]).sort(byName)).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);

    expect((await k(['delete', 'configmap', name, '-n', 'default'])).stdout.trim()).toBe(`configmap "${name}" deleted`);
    expect((await k(['delete', 'deployment', name, '-n', 'default', '--wait=false'])).code).toBe(0);
    const gone = await direct(['get', 'configmap', name, '-n', 'default']);
    expect(gone.stderr).toContain(`configmaps "${name}" not found`);
  });

  it('get -w: events arrive, and the upstream watch closes when kubectl is killed', async () => {
    const before = openStreams();
    const watch = startKubectl([...viaProxy(context), 'get', 'configmaps', '-n', 'default', '-w', '-o', 'name']);
    await watch.waitFor(1); // the initial list
    await expect.poll(openStreams, { timeout: 5_000 }).toBe(before + 1);
    const seen = watch.lines.length;
    sim.store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${name}-watched`, namespace: 'default' },
      data: {},
    });
    await watch.waitFor(seen + 1);
    expect(watch.lines.slice(seen)).toContain(`configmap/${name}-watched`);
    await killAndWait(watch.child);
    await expect.poll(openStreams, { timeout: 3_000 }).toBe(before);
  });

  it('logs -f streams lines, and the upstream stream closes when kubectl is killed', async () => {
    const before = openStreams();
    const logs = startKubectl([...viaProxy(context), 'logs', '-f', 'busybox', '-n', 'default', '--tail', '1']);
    await logs.waitFor(1);
    await expect.poll(openStreams, { timeout: 5_000 }).toBe(before + 1);
    sim.store.logs.append('default', 'busybox', 'busybox', `followed through ${kind}`);
    await logs.waitFor(2);
    expect(logs.lines[1]).toBe(`followed through ${kind}`);
    await killAndWait(logs.child);
    await expect.poll(openStreams, { timeout: 3_000 }).toBe(before);
  });

  it('exec POD -- echo hi', async () => {
    const r = await k(['exec', 'busybox', '-n', 'default', '--', 'echo', 'hi']);
    expect(r).toMatchObject({ code: 0, stdout: 'hi\n' });
  });

  it('exec -i POD -- sh, with lines on stdin and the exit status back', async () => {
    const r = await k(['exec', '-i', 'busybox', '-n', 'default', '--', 'sh'], 'echo one\necho two\nexit 3\n');
    expect(r.stdout).toBe('one\ntwo\n');
    expect(r.code).toBe(3);
  });
});

describe('upgrades the cluster refuses', () => {
  it('port-forward to a pod that declares no ports: kubectl gets the same refusal as directly', async () => {
    const args = ['port-forward', 'pod/busybox', '-n', 'default', '0:80'];
    const [through, straight] = await Promise.all([kubectl([...viaProxy(CONTEXTS.cert), ...args], ''), direct(args)]);
    expect(straight.stderr).toContain('error upgrading connection');
    expect(through).toEqual(straight);
  });
});
