import type { Dispatcher } from 'undici';
import type { PluginOutcome } from './exec-credential';

/**
 * What the registry needs from the platform it runs on. The Node implementation lives in lib/node;
 * keeping it behind this interface leaves the registry's logic free of sockets, processes and fs.
 */

export interface ClientIdentity {
  cert: Uint8Array;
  key: Uint8Array;
}

export interface TransportOptions {
  server: URL;
  ca?: Uint8Array;
  identity?: ClientIdentity;
  insecure: boolean;
  servername?: string;
  proxyUrl?: URL;
}

/** The dispatchers of one context. Their identity can change (exec plugins that issue certificates). */
export interface ClusterTransport {
  /** Pooled, HTTP/2 when enabled: for plain requests. */
  readonly dispatcher: Dispatcher;
  /** HTTP/1.1 only: for upgrades. */
  readonly upgradeDispatcher: Dispatcher;
  /**
   * Uses another client certificate from now on: new connections present it, requests in flight
   * finish on the old ones. Throws when the certificate or key is unusable.
   */
  setClientIdentity(identity: ClientIdentity): void;
  /** Stops new requests; those in flight get `graceMs` to finish before their sockets are cut. */
  close(graceMs: number): Promise<void>;
}

export interface FileWatcher {
  /** Watches exactly these files from now on (their directories too, to see deletes and re-creates). */
  update(paths: readonly string[]): void;
  close(): void;
}

export interface RegistryHost {
  /** Rejects with code ENOENT (see isFileMissing) when there is no such file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Runs an exec credential plugin without a terminal; never rejects. */
  runPlugin(
    command: string,
    args: readonly string[],
    env: Record<string, string>,
    timeoutMs: number,
  ): Promise<PluginOutcome>;
  /** Throws with a message naming the bad field when certificates or keys cannot be used. */
  createTransport(options: TransportOptions): ClusterTransport;
  /** Calls onChange (debounced) when any watched file or its directory entry changes. */
  watchFiles(onChange: () => void): FileWatcher;
  /** The environment exec plugins inherit, and where KUBERNETES_SERVICE_HOST/PORT are read. */
  env: Readonly<Record<string, string | undefined>>;
}

/** Whether a `readFile` failed because there is no such file (Node's ENOENT). */
export function isFileMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}
