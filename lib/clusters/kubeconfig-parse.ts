import { isAbsolute, join, sep } from 'node:path';
import { isAlias, isMap, isSeq, LineCounter, parseDocument, Scalar, type ScalarTag, type Tags } from 'yaml';
import { describeFault, isRecord } from '../decode/decoded';
import { documentFault } from '../decode/document-fault';
import type { YamlSchema } from '../decode/yaml-documents';
import { errorMessage } from '../errors';
import {
  ClusterSchema,
  ContextSchema,
  UserSchema,
  validateEntry,
  type KubeconfigCluster,
  type KubeconfigContext,
  type KubeconfigUser,
} from './kubeconfig-schema';

/** One named entry of a kubeconfig list, remembering the file that defined it. */
export type Entry<T> = { name: string; origin: string } & (
  { value: T; error?: undefined } | { value?: undefined; error: string }
);

/** One kubeconfig source, parsed. Relative paths inside are already absolute (resolved against `dir`). */
export interface KubeconfigFile {
  source: string;
  clusters: Entry<KubeconfigCluster>[];
  users: Entry<KubeconfigUser>[];
  contexts: Entry<KubeconfigContext>[];
  currentContext: string | undefined;
  /** Why the whole file is unusable. Its contexts, as far as they could be named, carry this error. */
  error?: string;
  /** Entries skipped because they had no name. */
  warnings: string[];
}

type Kind = 'clusters' | 'users' | 'contexts';
const BODY_KEY = { clusters: 'cluster', users: 'user', contexts: 'context' } as const;

/** A file that could not be used at all; the contexts it is known to define fail with its error. */
export function failedKubeconfig(source: string, error: string, contextNames: Iterable<string>): KubeconfigFile {
  const contexts = [...new Set(contextNames)].map((name) => ({ name, origin: source, error }));
  return { source, clusters: [], users: [], contexts, currentContext: undefined, error, warnings: [] };
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';
const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
type AddToJSMap = NonNullable<Scalar['addToJSMap']>;

/**
 * go-yaml v2's `<<`, which is what client-go reads: each merged map's keys are written where the `<<` stands,
 * over keys the map set before it, and of a list of maps the first wins. (The YAML spec, and so the yaml
 * library, never let a merged key replace one the map sets itself: a server could differ from kubectl's.)
 */
const addMergedKeys: AddToJSMap = (ctx, map, value) => {
  const resolve = (node: unknown) => (ctx !== undefined && isAlias(node) ? node.resolve(ctx.doc, ctx) : node);
  const source = resolve(value);
  const merged = isSeq(source) ? source.items.map(resolve).reverse() : [source];
  for (const item of merged) {
    if (!isMap(item)) throw new Error('merge sources must be maps or map aliases');
    for (const [key, entry] of item.toJSON(null, ctx, Map)) {
      if (map instanceof Map) map.set(key, entry);
      else if (map instanceof Set) map.add(key);
      // defineProperty, as the library does: a `__proto__` key stays a plain key.
      else
        Object.defineProperty(map, String(key), { value: entry, writable: true, enumerable: true, configurable: true });
    }
  }
};

const goMergeKey: ScalarTag = {
  tag: MERGE_TAG,
  default: 'key',
  test: /^<<$/,
  resolve: () => Object.assign(new Scalar(Symbol('<<')), { addToJSMap: addMergedKeys }),
};

/**
 * YAML 1.1 as go-yaml v2 reads it into client-go's untyped first pass: dates and base-60 numbers (`1:20`)
 * stay strings, so a namespace `2024-01-01` or a token `12:34:56` is read as written; `<<` merges in v2's order.
 */
function goYamlTags(tags: Tags): Tags {
  return tags
    .filter((tag) => typeof tag === 'string' || (tag.tag !== TIMESTAMP_TAG && tag.format !== 'TIME'))
    .map((tag) => (typeof tag !== 'string' && tag.tag === MERGE_TAG ? goMergeKey : tag));
}

/** How every kubeconfig is read, a file or an upload alike. */
export const KUBECONFIG_YAML: YamlSchema = { version: '1.1', customTags: goYamlTags };

/**
 * Parses kubeconfig text the way client-go does: YAML 1.1 as go-yaml v2 reads it (so `yes` is a boolean),
 * unknown fields ignored, relative file references resolved against `dir`, the file's own directory.
 */
export function parseKubeconfig(text: string, source: string, dir: string): KubeconfigFile {
  const lines = new LineCounter();
  // uniqueKeys off: the library's check is quadratic in a map's keys; documentFault finds duplicates in linear time.
  // logLevel error: an uploaded collection used as a key would otherwise print a process warning.
  const doc = parseDocument(text, {
    ...KUBECONFIG_YAML,
    uniqueKeys: false,
    prettyErrors: false,
    lineCounter: lines,
    logLevel: 'error',
  });
  const fault = documentFault(doc, lines);
  if (fault !== undefined)
    return failedKubeconfig(source, `${source}: invalid YAML: ${describeFault(fault)}`, namesFromBrokenDocument(doc));
  let root: unknown;
  try {
    root = doc.toJS();
  } catch (err) {
    // toJS throws on alias bombs (maxAliasCount) and similar; the message carries no document text.
    return failedKubeconfig(source, `${source}: invalid YAML: ${errorMessage(err)}`, []);
  }
  return kubeconfigFromValue(root, source, dir);
}

/** A kubeconfig already decoded (an upload, decoded within its budget), checked and resolved as parseKubeconfig does. */
export function kubeconfigFromValue(root: unknown, source: string, dir: string): KubeconfigFile {
  if (root === null || root === undefined) return emptyFile(source);
  if (!isRecord(root))
    return failedKubeconfig(source, `${source}: not a kubeconfig: the document is not a mapping`, []);

  // client-go decodes a file as the kind its apiVersion and kind name; only absent ones default to v1 Config.
  const { apiVersion, kind } = root;
  if (!absentOr(apiVersion, 'v1') || !absentOr(kind, 'Config')) {
    const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : 'that is not a string');
    return failedKubeconfig(
      source,
      `${source}: not a kubeconfig: apiVersion ${shown(apiVersion)}, kind ${shown(kind)} (want v1 Config)`,
      contextNamesOf(root),
    );
  }

  const current = root['current-context'];
  if (current !== undefined && current !== null && typeof current !== 'string') {
    return failedKubeconfig(source, `${source}: current-context must be a string`, contextNamesOf(root));
  }
  for (const kind of ['clusters', 'users', 'contexts'] as const) {
    const list = root[kind];
    if (list !== undefined && list !== null && !Array.isArray(list)) {
      return failedKubeconfig(source, `${source}: ${kind} must be a list`, contextNamesOf(root));
    }
  }

  const warnings: string[] = [];
  const entries = <T>(kind: Kind, validate: (body: unknown) => { value: T } | { error: string }): Entry<T>[] => {
    const list = root[kind];
    if (!Array.isArray(list)) return [];
    const seen = new Map<string, Entry<T>>();
    list.forEach((item, index) => {
      const name = isRecord(item) ? item.name : undefined;
      if (typeof name !== 'string' || name === '') {
        warnings.push(`${source}: ${kind}[${index}] has no name (or one that is not a string) and is ignored`);
        return;
      }
      if (seen.has(name)) {
        seen.set(name, {
          name,
          origin: source,
          error: `${BODY_KEY[kind]} "${name}" is defined more than once in ${source}`,
        });
        return;
      }
      const checked = validate((item as Record<string, unknown>)[BODY_KEY[kind]]);
      seen.set(
        name,
        'value' in checked
          ? { name, origin: source, value: checked.value }
          : { name, origin: source, error: `${BODY_KEY[kind]} "${name}" in ${source} is invalid: ${checked.error}` },
      );
    });
    return [...seen.values()];
  };

  return {
    source,
    clusters: entries('clusters', (body) =>
      mapValue(validateEntry(ClusterSchema, body), (c) => resolveClusterPaths(c, dir)),
    ),
    users: entries('users', (body) => mapValue(validateEntry(UserSchema, body), (u) => resolveUserPaths(u, dir))),
    contexts: entries('contexts', (body) => validateEntry(ContextSchema, body)),
    currentContext: typeof current === 'string' && current !== '' ? current : undefined,
    warnings,
  };
}

function emptyFile(source: string): KubeconfigFile {
  return { source, clusters: [], users: [], contexts: [], currentContext: undefined, warnings: [] };
}

function mapValue<T, U>(
  result: { value: T } | { error: string },
  f: (value: T) => U,
): { value: U } | { error: string } {
  return 'value' in result ? { value: f(result.value) } : result;
}

function absentOr(value: unknown, expected: string): boolean {
  return value === undefined || value === null || value === '' || value === expected;
}

function contextNamesOf(root: unknown): string[] {
  if (!isRecord(root) || !Array.isArray(root.contexts)) return [];
  return root.contexts.flatMap((item: unknown) =>
    isRecord(item) && typeof item.name === 'string' && item.name !== '' ? [item.name] : [],
  );
}

/** Best effort: the context names a syntactically broken file still shows, so exactly those fail. */
function namesFromBrokenDocument(doc: ReturnType<typeof parseDocument>): string[] {
  try {
    return contextNamesOf(doc.toJS());
  } catch {
    return [];
  }
}

/** client-go's ResolvePaths: an empty or absolute path stays, a relative one is joined to the file's directory. */
function resolvePath(path: string | undefined, dir: string): string | undefined {
  if (path === undefined || path === '' || isAbsolute(path)) return path;
  return join(dir, path);
}

function resolveClusterPaths(cluster: KubeconfigCluster, dir: string): KubeconfigCluster {
  return { ...cluster, 'certificate-authority': resolvePath(cluster['certificate-authority'], dir) };
}

function resolveUserPaths(user: KubeconfigUser, dir: string): KubeconfigUser {
  const resolved: KubeconfigUser = {
    ...user,
    'client-certificate': resolvePath(user['client-certificate'], dir),
    'client-key': resolvePath(user['client-key'], dir),
    tokenFile: resolvePath(user.tokenFile, dir),
  };
  // A bare command name is looked up on PATH, as a shell would; only a path-like command is file-relative.
  const command = user.exec?.command;
  if (user.exec !== undefined && command !== undefined && command.includes(sep)) {
    resolved.exec = { ...user.exec, command: resolvePath(command, dir) };
  }
  return resolved;
}
