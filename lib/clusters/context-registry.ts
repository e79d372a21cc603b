import { dirname, resolve } from 'node:path';
import type { Clock } from '../clock';
import { errorMessage, StatusError } from '../errors';
import type { Logger } from '../log';
import { connectContext, prepareContext, type LiveConnection, type PreparedContext } from './connection';
import { planContexts, type ContextPlan, type PlanPolicy } from './context-plan';
import { isFileMissing, type FileWatcher, type RegistryHost } from './host';
import { IN_CLUSTER_CONTEXT, inClusterEntries, planInCluster, type InClusterOptions } from './in-cluster';
import { mergeKubeconfigs } from './kubeconfig-merge';
import { failedKubeconfig, parseKubeconfig, type KubeconfigFile } from './kubeconfig-parse';
import {
  redactKubeconfigEntries,
  resolvedEntries,
  type KubeconfigEntries,
  type ResolvedEntries,
} from './kubeconfig-view';
import { standaloneKubeconfig } from './standalone-kubeconfig';
import type { ClusterRegistry, ContextInfo, RegistryChange } from './types';

/** A kubeconfig held in memory (the demo cluster, contexts kore-board adds itself). */
export interface InlineSource {
  /** Shown as the contexts' `source`. */
  name: string;
  yaml: string;
  /** Directory relative file references resolve against; the working directory when absent. */
  dir?: string;
}

export interface RegistryConfig {
  /** In precedence order: for each name the first file that defines it wins. */
  kubeconfigPaths: readonly string[];
  /** Files (among kubeconfigPaths) whose contexts may carry only inline material, and whether exec is allowed there. */
  inlineOnly: { paths: readonly string[]; allowExec: boolean };
  /** Read on every reload, after the files (a file's context wins over an inline one of the same name). */
  inlineSources: () => readonly InlineSource[];
  inCluster: InClusterOptions | false;
  watch: boolean;
  clock: Clock;
  log: Logger;
  tokenFileTtlMs: number;
  execTimeoutMs: number;
  /** How long requests on a replaced context's connections may run before their sockets are cut. */
  closeGraceMs: number;
}

interface Slot {
  info: ContextInfo;
  prepared: PreparedContext;
  live?: LiveConnection;
}

interface Loaded {
  prepared: PreparedContext[];
  current: string | undefined;
  watched: string[];
  /** Each context's entries as read: redacted for the API, written whole only for a process acting as the context. */
  entries: Map<string, ResolvedEntries>;
}

const SHUTDOWN_GRACE_MS = 1_000;

/** The registry over a platform `host`; `createRegistry` (registry.ts) is the Node entry to it. */
export async function openRegistry(config: RegistryConfig, host: RegistryHost): Promise<ClusterRegistry> {
  const { log } = config;
  const paths = [...new Set(config.kubeconfigPaths.filter((p) => p !== ''))];
  const deps = {
    host,
    clock: config.clock,
    log,
    tokenFileTtlMs: config.tokenFileTtlMs,
    execTimeoutMs: config.execTimeoutMs,
  };
  // Compared resolved, so another spelling of the same path cannot lift the restriction.
  const inlineOnlyPaths = new Set(config.inlineOnly.paths.map((p) => resolve(p)));
  const policy: PlanPolicy = {
    inlineOnly: (source) => inlineOnlyPaths.has(resolve(source)),
    allowExec: config.inlineOnly.allowExec,
  };
  /** Contexts each source defined when it last parsed, so a file that breaks fails exactly those. */
  const knownContexts = new Map<string, string[]>();
  const listeners = new Set<(change: RegistryChange) => void>();
  let slots = new Map<string, Slot>();
  let entries = new Map<string, ResolvedEntries>();
  let current: string | undefined;
  let closed = false;

  async function readSource(path: string): Promise<KubeconfigFile | undefined> {
    let text: string;
    try {
      text = Buffer.from(await host.readFile(path)).toString('utf8');
    } catch (err) {
      // kubectl skips files of the list that do not exist.
      if (isFileMissing(err)) return undefined;
      return failedKubeconfig(
        path,
        `unable to read kubeconfig ${path}: ${errorMessage(err)}`,
        knownContexts.get(path) ?? [],
      );
    }
    return parseKubeconfig(text, path, dirname(resolve(path)));
  }

  function remember(file: KubeconfigFile): KubeconfigFile {
    if (file.error === undefined) {
      knownContexts.set(
        file.source,
        file.contexts.map((c) => c.name),
      );
      return file;
    }
    return failedKubeconfig(file.source, file.error, [
      ...file.contexts.map((c) => c.name),
      ...(knownContexts.get(file.source) ?? []),
    ]);
  }

  async function load(): Promise<Loaded> {
    const fromFiles = await Promise.all(paths.map(readSource));
    const inline = config.inlineSources().map((s) => parseKubeconfig(s.yaml, s.name, resolve(s.dir ?? '.')));
    const files = [...fromFiles, ...inline].flatMap((f) => (f === undefined ? [] : [remember(f)]));
    for (const file of files) {
      for (const warning of file.warnings) log.warn(warning);
      if (file.error !== undefined) log.warn('kubeconfig unusable', { source: file.source, error: file.error });
    }
    const merged = mergeKubeconfigs(files);
    const plans: ContextPlan[] = planContexts(merged, policy);
    const entries = new Map(plans.map((p) => [p.info.name, resolvedEntries(merged, p.info.name)]));
    if (config.inCluster !== false && !merged.contexts.has(IN_CLUSTER_CONTEXT)) {
      const inCluster = await planInCluster(config.inCluster, host.env, host.readFile);
      if (inCluster !== undefined) {
        plans.push(inCluster);
        entries.set(inCluster.info.name, inClusterEntries(config.inCluster, inCluster.info));
      }
    }
    const prepared = await Promise.all(plans.map((p) => prepareContext(p, host.readFile)));
    const names = new Set(prepared.map((p) => p.info.name));
    let currentName = merged.currentContext;
    if (currentName !== undefined && !names.has(currentName)) {
      log.warn(`current-context "${currentName}" names no context`);
      currentName = undefined;
    } else if (merged.currentContext === undefined && names.has(IN_CLUSTER_CONTEXT)) {
      currentName = IN_CLUSTER_CONTEXT;
    }
    return {
      prepared,
      current: currentName,
      watched: [...paths, ...prepared.flatMap((p) => p.files)],
      entries,
    };
  }

  function build(prepared: PreparedContext): Slot {
    if (prepared.connect === undefined) return { info: prepared.info, prepared };
    try {
      return { info: prepared.info, prepared, live: connectContext(prepared, deps) };
    } catch (err) {
      return { info: { ...prepared.info, error: errorMessage(err) }, prepared };
    }
  }

  /** Swaps in the new state: unchanged contexts keep their connection (and cached credentials). */
  function apply(loaded: Loaded, initial: boolean): RegistryChange {
    const next = new Map<string, Slot>();
    const changed: string[] = [];
    const retired: LiveConnection[] = [];
    for (const prepared of loaded.prepared) {
      const name = prepared.info.name;
      const old = slots.get(name);
      if (old !== undefined && old.prepared.fingerprint === prepared.fingerprint) {
        next.set(name, old);
        continue;
      }
      if (old?.live !== undefined) retired.push(old.live);
      const slot = build(prepared);
      next.set(name, slot);
      changed.push(name);
      if (!initial && slot.info.error !== undefined)
        log.warn(`context ${name} failed to load`, { error: slot.info.error });
    }
    for (const [name, old] of slots) {
      if (next.has(name)) continue;
      if (old.live !== undefined) retired.push(old.live);
      changed.push(name);
    }
    const currentChanged = current !== loaded.current;
    slots = next;
    entries = loaded.entries;
    current = loaded.current;
    for (const live of retired) void live.transport.close(config.closeGraceMs);
    watcher?.update(loaded.watched);
    const change = { changed: changed.sort() };
    if (!initial && (changed.length > 0 || currentChanged)) {
      log.info('kubeconfig reloaded', { changed: change.changed });
      for (const listener of listeners) listener(change);
    }
    return change;
  }

  let queued: Promise<RegistryChange> | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  /** One reload at a time; requests arriving while one waits to start share it. */
  function reload(): Promise<RegistryChange> {
    if (queued !== undefined) return queued;
    const run = chain.then(async () => {
      queued = undefined;
      if (closed) return { changed: [] };
      const loaded = await load();
      return closed ? { changed: [] } : apply(loaded, false);
    });
    queued = run;
    chain = run.catch(() => undefined);
    return run;
  }

  const watcher: FileWatcher | undefined = config.watch
    ? host.watchFiles(() => {
        reload().catch((err: unknown) => log.error('kubeconfig reload failed', { error: errorMessage(err) }));
      })
    : undefined;

  try {
    apply(await load(), true);
  } catch (err) {
    watcher?.close();
    throw err;
  }

  /** The context's connection; StatusError 404 for an unknown context, 503 for one that failed to load. */
  function liveConnection(name: string): LiveConnection {
    const slot = slots.get(name);
    const details = { name, kind: 'context' };
    if (slot === undefined) throw new StatusError('NotFound', `context "${name}" not found`, details);
    if (slot.live === undefined) {
      const why = slot.info.error ?? 'not loaded';
      throw new StatusError('ServiceUnavailable', `context "${name}" is not usable: ${why}`, details);
    }
    return slot.live;
  }

  const registry: ClusterRegistry = {
    contexts: () =>
      [...slots.values()].map((s) => s.info).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    currentContext: () => current,
    connection: (name) => liveConnection(name).connection,
    kubeconfigEntries(name: string): KubeconfigEntries {
      const found = slots.has(name) ? entries.get(name) : undefined;
      if (found === undefined)
        throw new StatusError('NotFound', `context "${name}" not found`, { name, kind: 'context' });
      return redactKubeconfigEntries(found);
    },
    async standaloneKubeconfig(name: string): Promise<string> {
      liveConnection(name);
      return standaloneKubeconfig(name, entries.get(name) ?? {}, host.readFile);
    },
    reload,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      watcher?.close();
      const all = [...slots.values()].flatMap((s) =>
        s.live === undefined ? [] : [s.live.transport.close(SHUTDOWN_GRACE_MS)],
      );
      slots = new Map();
      await Promise.all(all);
    },
  };
  return registry;
}
