/** Adds and removes the contexts kore-board keeps in its own kubeconfig. Node backs it with a file; the edge has none. */
export interface ContextStore {
  /** The file added contexts live in (shown in errors about contexts that live elsewhere). */
  readonly path: string;
  /** Adds every context of an uploaded kubeconfig (YAML or JSON text); resolves with their names. */
  add(kubeconfigText: string): Promise<string[]>;
  /** Removes a context kore-board added. 404 unknown, 409 when it lives in the user's own files. */
  remove(name: string): Promise<void>;
}
