import { StatusError } from '../errors';

/**
 * What decoding one request body may cost. The byte limit alone does not bound it: the yaml library's work
 * grows faster than the text for some shapes (keys of one map, aliases, nesting), and a few bytes per node
 * make millions of nodes. Each cap below is a count the sender controls, checked as the parser meets it.
 * Passing one refuses the whole body (413): applying half of it silently is worse than applying none.
 */
export interface DecodeBudget {
  /** Documents in one body, empty ones (`---` alone) included. */
  maxDocuments: number;
  /** Values in one document: every scalar, map, sequence and map key; an alias counts as what it expands to. */
  maxNodes: number;
  /** Keys in one map. */
  maxKeysPerMap: number;
  /** Maps and sequences nested in one another. The yaml library composes recursively and overflows the stack near 900 levels. */
  maxDepth: number;
  /** Anchors and aliases in one document: the yaml library resolves each alias by scanning every anchor and alias before it. */
  maxAnchors: number;
}

/**
 * Manifests (apply, body limit 10 MiB). A big Helm release renders a few hundred documents; the largest CRDs
 * (an OpenAPI schema of ~1 MB) hold ~100,000 nodes and nest ~60 deep; a 5 MB `kind: List` holds ~500,000 nodes;
 * Kubernetes objects rarely have more than a few hundred keys in one map (a ConfigMap's data included, which
 * etcd caps at ~1.5 MB), and hand-written YAML uses tens of anchors.
 */
export const MANIFEST_BUDGET: DecodeBudget = {
  maxDocuments: 10_000,
  maxNodes: 500_000,
  maxKeysPerMap: 10_000,
  maxDepth: 200,
  maxAnchors: 1_000,
};

/**
 * Uploaded kubeconfigs (body limit 1 MiB): one document, as client-go reads it. Each context with its cluster
 * and user takes ~27 nodes, so 20,000 nodes is ~700 contexts; a kubeconfig nests 6 deep.
 */
export const KUBECONFIG_BUDGET: DecodeBudget = {
  maxDocuments: 1,
  maxNodes: 20_000,
  maxKeysPerMap: 1_000,
  maxDepth: 50,
  maxAnchors: 100,
};

/** A body over one of the caps: the message names the cap and its limit. */
export function overBudget(message: string): StatusError {
  return new StatusError('RequestEntityTooLarge', message);
}
