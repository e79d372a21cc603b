/**
 * A real Prometheus (Debian's `prometheus` package) scraping simulated clusters' cAdvisor endpoints through their API
 * servers' node proxy, as a Prometheus in front of real clusters does: over TLS with the cluster's CA and a bearer
 * token or a client certificate, one target per node, labelled with the cluster (the kubeconfig context) and the node. Started on a loopback
 * port with its own storage in a temp folder; waited for by polling its API within a deadline, never by sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port';

export const PROMETHEUS_BINARY = [process.env.PROMETHEUS_PATH, '/usr/bin/prometheus'].find(
  (p) => p !== undefined && p !== '' && existsSync(p),
);

/** One simulated cluster to scrape: its API server, how to trust it, who Prometheus is to it, its nodes' names. */
export interface ScrapedCluster {
  /** The cluster label's value: the context's name. */
  context: string;
  url: string;
  caPem: string;
  /** A bearer token, or a client certificate, the cluster accepts. */
  credentials: { token: string } | { client: { certPem: string; keyPem: string } };
  nodes: readonly string[];
}

export interface RunningPrometheus {
  url: string;
  /** The Prometheus process's id (the benchmark reads its memory). */
  pid: number | undefined;
  /** An instant query's samples: each series' labels and value. */
  query(query: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  /** Polls `check` until it holds, or throws after `timeoutMs` saying what was awaited. */
  waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

async function poll(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Prometheus: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Starts Prometheus scraping every node of each cluster every `scrapeIntervalS` seconds, under the label
 * `clusterLabel`; resolves once it is ready (not yet once it has samples: see `waitFor`).
 */
export async function startPrometheus({
  clusters,
  scrapeIntervalS = 1,
  clusterLabel = 'cluster',
  port,
}: {
  clusters: readonly ScrapedCluster[];
  scrapeIntervalS?: number;
  clusterLabel?: string;
  /** Its loopback port; default a free one. */
  port?: number;
}): Promise<RunningPrometheus> {
  if (PROMETHEUS_BINARY === undefined) throw new Error('no prometheus executable (apt-get install -y prometheus)');
  const dir = await mkdtemp(join(tmpdir(), 'kore-prometheus-'));
  const scrapeConfigs = await Promise.all(
    clusters.map(async (cluster, i) => {
      const file = async (name: string, text: string) => {
        const path = join(dir, `${name}-${i}`);
        await writeFile(path, text, { mode: 0o600 });
        return path;
      };
      const ca = await file('ca.pem', cluster.caPem);
      const { credentials } = cluster;
      const auth =
        'token' in credentials
          ? { tls_config: { ca_file: ca }, authorization: { credentials_file: await file('token', credentials.token) } }
          : {
              tls_config: {
                ca_file: ca,
                cert_file: await file('client.pem', credentials.client.certPem),
                key_file: await file('client-key.pem', credentials.client.keyPem),
              },
            };
      return {
        job_name: `cadvisor-${i}`,
        scheme: 'https',
        ...auth,
        static_configs: cluster.nodes.map((node) => ({
          targets: [new URL(cluster.url).host],
          labels: {
            [clusterLabel]: cluster.context,
            node,
            __metrics_path__: `/api/v1/nodes/${encodeURIComponent(node)}/proxy/metrics/cadvisor`,
          },
        })),
      };
    }),
  );
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    stringify({
      global: { scrape_interval: `${scrapeIntervalS}s`, scrape_timeout: `${scrapeIntervalS}s` },
      scrape_configs: scrapeConfigs,
    }),
  );
  const listen = port ?? (await freePort());
  const url = `http://127.0.0.1:${listen}`;
  let output = '';
  const proc: ChildProcess = spawn(
    PROMETHEUS_BINARY,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${listen}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  proc.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  });
  const exited = once(proc, 'exit');

  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs: number) => {
    try {
      await poll(
        what,
        async () => {
          if (proc.exitCode !== null) throw new Error(`Prometheus exited with ${proc.exitCode}: ${output}`);
          return check();
        },
        timeoutMs,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\nPrometheus said: ${output || '(nothing)'}`, { cause: err });
    }
  };
  const query = async (q: string) => {
    const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q })}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success') throw new Error(`Prometheus query ${q}: ${body.error}`);
    return (body.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };
  try {
    await waitFor('/-/ready', async () => (await fetch(`${url}/-/ready`)).status === 200, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: proc.pid, query, waitFor, stop };
}
