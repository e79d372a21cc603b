/**
 * `--upstream-timeout` against a simulated API server that freezes (lib/sim/http/freeze.ts): a request with no
 * response headers within the timeout ends in a 504 Status naming the context and the timeout, on both `/raw`
 * paths, and its upstream connection is closed; a body that stalls is cut; a watch is not bounded by it; another
 * context answers meanwhile.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClusterRegistry } from '../../lib/clusters/types';
import { forwardOptions } from '../../lib/proxy/forward';
import type { RunningServer } from '../../lib/node/server';
import { startSim, type SimCluster } from '../../lib/sim';
import { b64, kubeconfigYaml, registryFor, send, startProxy, UI_ORIGIN } from '../helpers/raw-stack';

const TIMEOUT_MS = 300;
/**
 * What may pass beyond the timeout before the answer arrives: undici runs its headers and body timers on a clock
 * that ticks every ~500 ms (lib/util/timers.js, 1 s resolution), plus scheduling on a shared 2-core machine.
 */
const MARGIN_MS = 1_500;

let frozen: SimCluster;
let healthy: SimCluster;
let registry: ClusterRegistry;
let proxy: RunningServer;

beforeAll(async () => {
  [frozen, healthy] = await Promise.all([startSim(), startSim()]);
  const user = (sim: SimCluster) => ({
    'client-certificate-data': b64(sim.client.certPem),
    'client-key-data': b64(sim.client.keyPem),
  });
  registry = await registryFor(
    kubeconfigYaml([
      { name: 'frozen', server: frozen.url, caPem: frozen.caPem, user: user(frozen) },
      { name: 'healthy', server: healthy.url, caPem: healthy.caPem, user: user(healthy) },
    ]),
  );
  proxy = await startProxy(registry, forwardOptions(TIMEOUT_MS));
});

afterAll(async () => {
  await proxy?.close(100);
  await registry?.close();
  await Promise.all([frozen?.close(), healthy?.close()]);
});

/** The answer to a GET and when it ended, or how the stream broke off. */
function timedGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; ms: number; cut: boolean }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: proxy.port, path, headers: { host: `127.0.0.1:${proxy.port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        const done = (cut: boolean) => () =>
          resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started, cut });
        res.on('end', done(false));
        res.on('aborted', done(true));
        res.on('error', done(true));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.each([
  ['fast path', {}],
  ['Fetch route', { origin: UI_ORIGIN }],
])('a cluster that never answers (%s)', (_entrance, via: Record<string, string>) => {
  it(`→ 504 Timeout within ${TIMEOUT_MS} ms + margin, naming the context and the timeout; the upstream connection is closed`, async () => {
    const freeze = frozen.freeze('/api/v1/namespaces/default/pods');
    try {
      const answer = await timedGet('/raw/clusters/frozen/api/v1/namespaces/default/pods', via);
      expect(answer.status).toBe(504);
      expect(JSON.parse(answer.body)).toMatchObject({
        kind: 'Status',
        code: 504,
        reason: 'Timeout',
        message: expect.stringMatching(/context "frozen".*upstream timeout \(300 ms\)/),
      });
      expect(answer.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(answer.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      // undici destroys the socket whose answer timed out: the simulated server sees its connection close.
      await vi.waitFor(() => expect(freeze.held()).toBe(0), { timeout: 2_000, interval: 20 });
    } finally {
      freeze.thaw();
    }
  });
});

describe('while one context is frozen', () => {
  it('another context answers at once, and the frozen one still ends in 504', async () => {
    const freeze = frozen.freeze('/api');
    try {
      const stuck = timedGet('/raw/clusters/frozen/api/v1/pods');
      const other = await timedGet('/raw/clusters/healthy/api/v1/namespaces/default/pods');
      expect(other.status).toBe(200);
      expect(other.ms).toBeLessThan(TIMEOUT_MS);
      const late = await stuck;
      expect(late.status).toBe(504);
      expect(other.ms).toBeLessThan(late.ms);
    } finally {
      freeze.thaw();
    }
    // Thawed: the context serves again.
    expect((await send(proxy.port, 'GET', '/raw/clusters/frozen/api/v1/namespaces')).status).toBe(200);
  });
});

describe('a body that stalls', () => {
  it('is cut after the timeout (the status line had gone out), while a watch on the same stall stays open', async () => {
    const freeze = frozen.freeze('/api/v1/namespaces/default/configmaps', 'body');
    const watch = new AbortController();
    try {
      let watchEnded = false;
      const watching = new Promise<void>((resolve) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: proxy.port,
            path: '/raw/clusters/frozen/api/v1/namespaces/default/configmaps?watch=true',
            signal: watch.signal,
          },
          (res) => {
            res.resume();
            res.on('close', () => {
              watchEnded = true;
              resolve();
            });
          },
        );
        req.on('error', () => resolve());
        req.end();
      });
      await vi.waitFor(() => expect(freeze.held()).toBe(1), { timeout: 2_000, interval: 10 });
      // Two stalled lists one after the other: the watch has then been silent for more than twice the timeout.
      for (let i = 0; i < 2; i++) {
        const answer = await timedGet('/raw/clusters/frozen/api/v1/namespaces/default/configmaps');
        expect(answer.status).toBe(200);
        expect(answer.cut).toBe(true);
        expect(answer.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      }
      expect(watchEnded).toBe(false);
      expect(freeze.held()).toBe(1);
      watch.abort();
      await watching;
    } finally {
      freeze.thaw();
    }
  });
});
