import { parse, stringify } from 'yaml';
import { mergeKubeconfigs } from '../clusters/kubeconfig-merge';
import { KUBECONFIG_YAML, kubeconfigFromValue } from '../clusters/kubeconfig-parse';
import { planContexts } from '../clusters/context-plan';
import { refuseHostAccess } from '../clusters/inline-only';
import { KUBECONFIG_BUDGET } from '../decode/budget';
import { describeFault } from '../decode/decoded';
import { yamlDocuments } from '../decode/yaml-documents';
import { StatusError, type StatusCause } from '../errors';

/**
 * kore-board's own kubeconfig: the contexts added through the API, kept apart from the user's files (which
 * are never rewritten) and merged after them. Pure transformations of the file's content; I/O is elsewhere.
 */
interface Named {
  name: string;
  [key: string]: unknown;
}

export interface KubeconfigDoc {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: Array<Named & { cluster: Record<string, unknown> }>;
  users: Array<Named & { user: Record<string, unknown> }>;
  contexts: Array<Named & { context: { cluster: string; user: string; [key: string]: unknown } }>;
}

export const EMPTY_KUBECONFIG: KubeconfigDoc = {
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [],
  users: [],
  contexts: [],
};

/** Cluster and user entries are renamed after their context, so they cannot be shadowed by a same-named entry in the user's files. */
export const entryNameFor = (context: string) => `kore-board/${context}`;

function kubeconfigDocOf(value: unknown): KubeconfigDoc {
  const root = value as Partial<KubeconfigDoc> | null;
  return {
    ...EMPTY_KUBECONFIG,
    clusters: root?.clusters ?? [],
    users: root?.users ?? [],
    contexts: root?.contexts ?? [],
  };
}

export function readKubeconfigDoc(text: string): KubeconfigDoc {
  // kore-board wrote this file from uploads already checked for duplicate keys, and the library's check is quadratic.
  return kubeconfigDocOf(text.trim() === '' ? {} : parse(text, { ...KUBECONFIG_YAML, uniqueKeys: false }));
}

export function writeKubeconfigDoc(doc: KubeconfigDoc): string {
  return stringify(doc);
}

const UPLOAD = 'the uploaded kubeconfig';

/**
 * An upload's one document, decoded within KUBECONFIG_BUDGET (413 past it) and read as the registry reads files
 * (JSON included). `what` names it in the 400 a broken document gets.
 */
export function decodeUpload(text: string, what = UPLOAD): unknown {
  const [document] = [...yamlDocuments(text, { schema: KUBECONFIG_YAML, budget: KUBECONFIG_BUDGET })];
  if (document === undefined) return null;
  if ('fault' in document)
    throw new StatusError('BadRequest', `${what}: invalid YAML: ${describeFault(document.fault)}`);
  return document.value;
}

/**
 * Checks an uploaded kubeconfig the way the registry will load it; every context must load, or nothing is taken.
 * Its contexts may carry only inline material (lib/clusters/inline-only.ts); exec plugins only with `allowExec`.
 */
export function validateUpload(
  text: string,
  dir: string,
  options: { allowExec: boolean } = { allowExec: false },
): KubeconfigDoc {
  const root = decodeUpload(text);
  const parsed = kubeconfigFromValue(root, UPLOAD, dir);
  if (parsed.error !== undefined) throw new StatusError('BadRequest', parsed.error);
  if (parsed.contexts.length === 0) throw new StatusError('BadRequest', 'the uploaded kubeconfig defines no contexts');
  refuseHostAccess(parsed, options.allowExec);
  const failed = planContexts(mergeKubeconfigs([parsed])).filter((p) => p.info.error !== undefined);
  if (failed.length > 0) {
    const causes: StatusCause[] = failed.map((p) => ({
      reason: 'FieldValueInvalid',
      field: `contexts[${p.info.name}]`,
      message: p.info.error ?? '',
    }));
    throw new StatusError(
      'Invalid',
      `the uploaded kubeconfig cannot be used: ${failed.map((p) => `context ${p.info.name}: ${p.info.error}`).join('; ')}`,
      { kind: 'Config', causes },
    );
  }
  return kubeconfigDocOf(root);
}

/**
 * Adds every context of `upload` to `own`, each with its own renamed cluster and user entry.
 * `taken` holds every context name already served (from any source): a clash is a 409, nothing added.
 */
export function addContexts(
  own: KubeconfigDoc,
  upload: KubeconfigDoc,
  taken: ReadonlySet<string>,
): { doc: KubeconfigDoc; added: string[] } {
  const clashes = upload.contexts.map((c) => c.name).filter((name) => taken.has(name));
  if (clashes.length > 0) {
    throw new StatusError(
      'AlreadyExists',
      `context ${clashes.map((n) => JSON.stringify(n)).join(', ')} already exists; delete it first or rename it in the upload`,
      { kind: 'Context', name: clashes[0] },
    );
  }
  const doc: KubeconfigDoc = {
    ...own,
    clusters: [...own.clusters],
    users: [...own.users],
    contexts: [...own.contexts],
  };
  for (const ctx of upload.contexts) {
    const cluster = upload.clusters.find((c) => c.name === ctx.context.cluster);
    const user = upload.users.find((u) => u.name === ctx.context.user);
    const entry = entryNameFor(ctx.name);
    // validateUpload has checked the cluster exists; a context may legitimately have no user.
    if (cluster !== undefined) doc.clusters.push({ name: entry, cluster: cluster.cluster });
    doc.users.push({ name: entry, user: user?.user ?? {} });
    doc.contexts.push({ name: ctx.name, context: { ...ctx.context, cluster: entry, user: entry } });
  }
  return { doc, added: upload.contexts.map((c) => c.name) };
}

/** Removes a context and the cluster and user entries made for it. */
export function removeContext(own: KubeconfigDoc, name: string): KubeconfigDoc {
  const ctx = own.contexts.find((c) => c.name === name);
  if (ctx === undefined)
    throw new StatusError('NotFound', `context "${name}" is not one kore-board added`, { kind: 'Context', name });
  const stillUsed = (field: 'cluster' | 'user', entry: string) =>
    own.contexts.some((c) => c.name !== name && c.context[field] === entry);
  return {
    ...own,
    contexts: own.contexts.filter((c) => c.name !== name),
    clusters: own.clusters.filter((c) => c.name !== ctx.context.cluster || stillUsed('cluster', c.name)),
    users: own.users.filter((u) => u.name !== ctx.context.user || stillUsed('user', u.name)),
  };
}
