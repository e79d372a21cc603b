/**
 * Shared by the test/faults suites: one simulated cluster reached two ways — context `healthy` directly and
 * context `faulty` through a fault gate (test/helpers/fault-gate.ts) — plus any contexts a test adds (a wrong CA,
 * an expired certificate, a hanging exec plugin), written to a kubeconfig file kore-board reads, served by the
 * whole server (the `/raw` fast path, the views) on an ephemeral port.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock } from '../../lib/clock';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { silentLogger } from '../../lib/log';
import { startKoreServer } from '../../lib/node/kore-server';
import { createRegistry } from '../../lib/node/registry';
import { startSim, type KubeObject, type SimCluster, type SimOptions } from '../../lib/sim';
import type { ViewStoreOptions } from '../../lib/views/store';
import { startFaultGate, type FaultGate } from './fault-gate';
import { b64, kubeconfigYaml, tempDir, UI_ORIGIN, type ContextSpec } from './raw-stack';

export const HEALTHY = 'healthy';
export const FAULTY = 'faulty';

export interface FaultStack {
  sim: SimCluster;
  gate: FaultGate;
  registry: ClusterRegistry;
  /** kore-board's base URL. */
  url: string;
  dir: string;
  kubeconfigPath: string;
  /** `healthy` and `faulty` with the sim's admin certificate, then the test's own. */
  specs: ContextSpec[];
  /** GET `${url}${path}` with the status, the parsed body and the headers. */
  get(path: string): Promise<{ status: number; body: unknown; headers: Headers }>;
  /** Writes the kubeconfig anew and reloads it as `PATCH /api/v1/config` does; resolves with the changed contexts. */
  rewrite(specs: readonly ContextSpec[]): Promise<string[]>;
  close(): Promise<void>;
}

/** A ConfigMap in namespace `default`: what the fault tests create to see watch events arrive. */
export const configMap = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: {},
});

/** The sim's admin client certificate, as a kubeconfig user. */
export const adminUser = (sim: SimCluster): Record<string, unknown> => ({
  'client-certificate-data': b64(sim.client.certPem),
  'client-key-data': b64(sim.client.keyPem),
});

export async function startFaultStack(
  options: {
    sim?: SimOptions;
    /** More contexts, given the sim and the directory the kubeconfig is written in. */
    extra?: (sim: SimCluster, dir: string) => ContextSpec[];
    views?: Partial<ViewStoreOptions>;
    execTimeoutMs?: number;
    /** How long requests on a context a reload changed may still run. Default 30 s (the registry's). */
    closeGraceMs?: number;
  } = {},
): Promise<FaultStack> {
  const sim = await startSim({ fixture: 'empty', ...options.sim });
  const gate = await startFaultGate(sim.url);
  const dir = tempDir('faults');
  const kubeconfigPath = join(dir, 'config');
  const specs: ContextSpec[] = [
    { name: HEALTHY, server: sim.url, caPem: sim.caPem, user: adminUser(sim) },
    { name: FAULTY, server: gate.url, caPem: sim.caPem, user: adminUser(sim) },
    ...(options.extra?.(sim, dir) ?? []),
  ];
  await writeFile(kubeconfigPath, kubeconfigYaml(specs), { mode: 0o600 });
  const registry = await createRegistry({
    kubeconfigPaths: [kubeconfigPath],
    inCluster: false,
    watch: false,
    clock: systemClock,
    log: silentLogger,
    execTimeoutMs: options.execTimeoutMs,
    closeGraceMs: options.closeGraceMs,
  });
  const kore = await startKoreServer({
    registry,
    security: { allowedHosts: [], allowOrigins: [UI_ORIGIN], authToken: undefined },
    log: silentLogger,
    viewOptions: options.views,
  });
  const { url } = kore.server;
  return {
    sim,
    gate,
    registry,
    url,
    dir,
    kubeconfigPath,
    specs,
    async get(path) {
      const res = await fetch(`${url}${path}`);
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text) as unknown, headers: res.headers };
    },
    async rewrite(next) {
      await writeFile(kubeconfigPath, kubeconfigYaml(next), { mode: 0o600 });
      const res = await fetch(`${url}/api/v1/config`, { method: 'PATCH' });
      return ((await res.json()) as { changed: string[] }).changed;
    },
    async close() {
      await kore.close(0);
      await registry.close();
      await gate.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
