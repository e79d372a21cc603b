import { stringify } from 'yaml';
import { errorMessage, StatusError } from '../errors';
import type { RegistryHost } from './host';
import type { ResolvedEntries } from './kubeconfig-view';
import type { KubeconfigCluster, KubeconfigUser } from './kubeconfig-schema';

/**
 * A kubeconfig holding one context and nothing else, with its real credentials: for a process on this host that acts
 * as that context (the web terminal's kubectl shell). Every file the entries name is read into inline data, so the
 * process needs no access to the user's files and sees no other context. Never sent to a client.
 */
export async function standaloneKubeconfig(
  name: string,
  entries: ResolvedEntries,
  readFile: RegistryHost['readFile'],
): Promise<string> {
  const clusterName = entries.context?.cluster ?? '';
  const userName = entries.context?.user ?? '';
  const read = (path: string, field: string, owner: string) =>
    readFile(path).catch((err: unknown) => {
      throw new StatusError(
        'ServiceUnavailable',
        `context "${name}": unable to read ${field} ${path} for ${owner}: ${errorMessage(err)}`,
        { name, kind: 'context' },
      );
    });
  const [cluster, user] = await Promise.all([
    inlineCluster(entries.cluster ?? {}, (path) => read(path, 'certificate-authority', `cluster "${clusterName}"`)),
    inlineUser(entries.user ?? {}, (path, field) => read(path, field, `user "${userName}"`)),
  ]);
  // YAML 1.1, as kubectl reads it (an unquoted `on` or `no` would be a boolean).
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: clusterName, cluster }],
      users: userName === '' ? [] : [{ name: userName, user }],
      contexts: [{ name, context: entries.context ?? {} }],
      'current-context': name,
    },
    { version: '1.1' },
  );
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function inlineCluster(
  cluster: KubeconfigCluster,
  read: (path: string) => Promise<Uint8Array>,
): Promise<KubeconfigCluster> {
  const { 'certificate-authority': caPath, ...rest } = cluster;
  return caPath === undefined ? rest : { ...rest, 'certificate-authority-data': base64(await read(caPath)) };
}

async function inlineUser(
  user: KubeconfigUser,
  read: (path: string, field: string) => Promise<Uint8Array>,
): Promise<KubeconfigUser> {
  const { 'client-certificate': certPath, 'client-key': keyPath, tokenFile, ...rest } = user;
  const [cert, key, token] = await Promise.all([
    certPath === undefined ? undefined : read(certPath, 'client-certificate'),
    keyPath === undefined ? undefined : read(keyPath, 'client-key'),
    tokenFile === undefined ? undefined : fileToken(tokenFile, user.token, read),
  ]);
  return {
    ...rest,
    ...(cert === undefined ? {} : { 'client-certificate-data': base64(cert) }),
    ...(key === undefined ? {} : { 'client-key-data': base64(key) }),
    ...(token === undefined ? {} : { token }),
  };
}

/** client-go's bearer-with-refresh: the file's token (trimmed) while it is readable, else the inline token. */
async function fileToken(
  path: string,
  fallback: string | undefined,
  read: (path: string, field: string) => Promise<Uint8Array>,
): Promise<string> {
  try {
    return Buffer.from(await read(path, 'tokenFile'))
      .toString('utf8')
      .trim();
  } catch (err) {
    if (fallback !== undefined) return fallback;
    throw err;
  }
}
