/**
 * What a simulated container looks like from inside: its shells, environment and a small read-only
 * filesystem (/etc files, the service-account mount, its volume mounts), derived from the pod object.
 */
import { SHELLS_ANNOTATION } from '../gen/templates';

export interface ContainerView {
  podName: string;
  namespace: string;
  /** Shells present in the image, e.g. ["bash", "sh"]; empty for distroless images. */
  shells: string[];
  env: Record<string, string>;
  /** Directory path → entry names; file path → contents. */
  dirs: ReadonlyMap<string, readonly string[]>;
  files: ReadonlyMap<string, string>;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function containerView(pod: Record<string, unknown>, containerName: string, tty: boolean): ContainerView {
  const metadata = record(pod.metadata);
  const podName = str(metadata.name) ?? 'pod';
  const namespace = str(metadata.namespace) ?? 'default';
  const annotation = str(record(metadata.annotations)[SHELLS_ANNOTATION]);
  const shells = (annotation ?? 'bash,sh')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const spec = record(pod.spec);
  const containers = Array.isArray(spec.containers) ? spec.containers.map(record) : [];
  const container = containers.find((c) => c.name === containerName) ?? {};
  const podIP = str(record(pod.status).podIP) ?? '10.64.0.2';

  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: podName,
    HOME: '/root',
    ...(tty ? { TERM: 'xterm' } : {}),
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
  };
  for (const variable of Array.isArray(container.env) ? container.env.map(record) : []) {
    const name = str(variable.name);
    if (name === undefined) continue;
    const fieldPath = str(record(record(variable.valueFrom).fieldRef).fieldPath);
    const value =
      str(variable.value) ??
      (fieldPath === 'metadata.name' ? podName : fieldPath === 'metadata.namespace' ? namespace : undefined);
    if (value !== undefined) env[name] = value;
  }

  const debian = shells.includes('bash');
  const files = new Map<string, string>([
    ['/etc/hostname', `${podName}\n`],
    [
      '/etc/hosts',
      `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${podIP}\t${podName}\n`,
    ],
    [
      '/etc/resolv.conf',
      `search ${namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
    ],
    [
      '/etc/os-release',
      debian
        ? 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
        : 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n',
    ],
    ['/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n'],
    [`${SERVICE_ACCOUNT_DIR}/namespace`, namespace],
    [
      `${SERVICE_ACCOUNT_DIR}/token`,
      'eyJhbGciOiJSUzI1NiIsImtpZCI6InNpbSJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lt',
    ],
    [
      `${SERVICE_ACCOUNT_DIR}/ca.crt`,
      '-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrOHMtc2lt\n-----END CERTIFICATE-----\n',
    ],
  ]);
  const dirs = new Map<string, string[]>();
  const add = (path: string) => {
    let parent = '/';
    for (const part of path.split('/').filter((p) => p !== '')) {
      const entries = dirs.get(parent) ?? [];
      if (!entries.includes(part)) dirs.set(parent, [...entries, part]);
      parent = parent === '/' ? `/${part}` : `${parent}/${part}`;
      if (!dirs.has(parent) && !files.has(parent)) dirs.set(parent, []);
    }
  };
  for (const dir of [
    '/bin',
    '/dev',
    '/etc',
    '/home',
    '/lib',
    '/proc',
    '/root',
    '/run',
    '/sys',
    '/tmp',
    '/usr/bin',
    '/usr/lib',
    '/usr/local',
    '/var/log',
    SERVICE_ACCOUNT_DIR,
  ])
    add(dir);
  for (const mount of Array.isArray(container.volumeMounts) ? container.volumeMounts.map(record) : []) {
    const path = str(mount.mountPath);
    if (path !== undefined) add(path);
  }
  for (const path of files.keys()) add(path);
  for (const entries of dirs.values()) entries.sort();
  return { podName, namespace, shells, env, dirs, files };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
