import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterConnection } from '../../lib/clusters/types';
import { StatusError } from '../../lib/errors';
import { listPages } from '../../lib/kube/list';
import { Reflector } from '../../lib/kube/reflector';
import { RESOURCES } from '../../lib/kube/resource';
import { kubeJson } from '../../lib/kube/request';
import { isGone, watchEvents, type WatchEvent } from '../../lib/kube/watch';
import { silentLogger } from '../../lib/log';

/**
 * The small Kubernetes client against an API server scripted per test (plain HTTP on 127.0.0.1), for what
 * the simulated cluster cannot be made to do on cue: events cut mid-line and mid-character, 410 as an
 * HTTP status, credentials that must be refreshed.
 */

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;
let handler: Handler = (_req, res) => res.end();
let server: Server;
let base: URL;
const agent = new Agent();
const seen: URL[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(url);
    handler(req, res, url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/prefix/`);
});
afterAll(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
afterEach(() => {
  seen.length = 0;
});

function connection(options: { token?: () => string; refresh?: () => Promise<boolean> } = {}): ClusterConnection {
  return {
    context: {
      name: 'scripted',
      cluster: 'c',
      server: base.href,
      user: 'u',
      namespace: 'default',
      inCluster: false,
      source: 'test',
    },
    server: base,
    dispatcher: agent,
    upgradeDispatcher: agent,
    credentials: async () => ({ authorization: `Bearer ${options.token?.() ?? 't'}` }),
    refreshCredentials: options.refresh ?? (async () => false),
    asBearer: () => {
      throw new Error('the scripted cluster is reached as its one user');
    },
  };
}

const json = (res: ServerResponse, code: number, body: unknown) => {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  reason,
  message,
  code,
});

describe('requests', () => {
  it('keep the server path prefix, and pass the cluster Status through with its code and message', async () => {
    handler = (_req, res) =>
      json(res, 403, status(403, 'Forbidden', 'pods is forbidden: User "x" cannot list resource "pods"'));
    const err = await kubeJson(connection(), { path: '/api/v1/pods' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).toStatus()).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'pods is forbidden: User "x" cannot list resource "pods"',
    });
    expect(seen[0]!.pathname).toBe('/prefix/api/v1/pods');
  });

  it('retry once after a 401 when fresh credentials can be had', async () => {
    let token = 'old';
    handler = (req, res) =>
      req.headers.authorization === 'Bearer new'
        ? json(res, 200, { ok: true })
        : json(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    const refreshed = connection({ token: () => token, refresh: async () => ((token = 'new'), true) });
    expect(await kubeJson(refreshed, { path: '/api/v1/pods' })).toEqual({ ok: true });
    const stuck = connection({ token: () => 'old' });
    await expect(kubeJson(stuck, { path: '/api/v1/pods' })).rejects.toMatchObject({
      code: 401,
      message: 'Unauthorized',
    });
  });
});

describe('paginated lists', () => {
  it('follow continue tokens with the page size as limit', async () => {
    handler = (_req, res, url) => {
      const page = Number(url.searchParams.get('continue') || 0);
      json(res, 200, {
        metadata: { resourceVersion: '42', ...(page < 2 ? { continue: String(page + 1) } : {}) },
        items: [{ n: page }],
      });
    };
    const pages = [];
    for await (const p of listPages(connection(), '/api/v1/pods', { pageSize: 1 })) pages.push(p);
    expect(pages).toEqual([0, 1, 2].map((n) => ({ items: [{ n }], resourceVersion: '42' })));
    expect(seen.map((u) => [u.searchParams.get('limit'), u.searchParams.get('continue')])).toEqual([
      ['1', null],
      ['1', '1'],
      ['1', '2'],
    ]);
  });
});

describe('watch streams', () => {
  const collect = async (gen: AsyncGenerator<WatchEvent>) => {
    const out: WatchEvent[] = [];
    for await (const e of gen) out.push(e);
    return out;
  };

  it('parse events however the stream is cut, even inside a character', async () => {
    const text =
      JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'café-☕', resourceVersion: '5' } } }) +
      '\n' +
      JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } }) +
      '\n\n' +
      JSON.stringify({ type: 'DELETED', object: { metadata: { name: 'b', resourceVersion: '10' } } });
    const bytes = Buffer.from(text);
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // Three bytes at a time: lines and multi-byte characters are split across chunks.
      let i = 0;
      const tick = () => {
        if (i >= bytes.length) return res.end();
        res.write(bytes.subarray(i, (i += 3)));
        setImmediate(tick);
      };
      tick();
    };
    const events = await collect(
      watchEvents(connection(), '/api/v1/pods', { resourceVersion: '4', timeoutSeconds: 5 }),
    );
    expect(events.map((e) => [e.type, e.object.metadata?.resourceVersion])).toEqual([
      ['ADDED', '5'],
      ['BOOKMARK', '9'],
      ['DELETED', '10'],
    ]);
    expect((events[0]!.object.metadata as { name: string }).name).toBe('café-☕');
    expect(Object.fromEntries(seen[0]!.searchParams)).toEqual({
      watch: '1',
      allowWatchBookmarks: 'true',
      resourceVersion: '4',
      timeoutSeconds: '5',
    });
  });

  it('say Gone for a too-old resourceVersion, as an ERROR event or as an HTTP 410', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.end(
        JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 4 (9)') }) + '\n',
      );
    };
    const inEvent = await collect(
      watchEvents(connection(), '/api/v1/pods', { resourceVersion: '4', timeoutSeconds: 5 }),
    ).catch((e: unknown) => e);
    expect(isGone(inEvent)).toBe(true);
    expect((inEvent as StatusError).message).toBe('too old resource version: 4 (9)');
    handler = (_req, res) => json(res, 410, status(410, 'Gone', 'too old'));
    expect(
      isGone(
        await collect(watchEvents(connection(), '/api/v1/pods', { resourceVersion: '4', timeoutSeconds: 5 })).catch(
          (e: unknown) => e,
        ),
      ),
    ).toBe(true);
  });
});

describe('reflector', () => {
  it('lists, watches from the list, resumes from the last event or bookmark, and lists again after 410', async () => {
    let lists = 0;
    let watches = 0;
    handler = (_req, res, url) => {
      if (url.searchParams.get('watch') !== '1') {
        lists++;
        return json(res, 200, {
          metadata: { resourceVersion: lists === 1 ? '10' : '50' },
          items: lists === 1 ? [{ metadata: { uid: 'a' } }, { metadata: { uid: 'b' } }] : [{ metadata: { uid: 'c' } }],
        });
      }
      watches++;
      res.writeHead(200);
      if (watches === 1) {
        res.write(
          JSON.stringify({ type: 'DELETED', object: { metadata: { uid: 'b', resourceVersion: '11' } } }) + '\n',
        );
        res.end(JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } }) + '\n');
      } else if (watches === 2)
        res.end(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old') }) + '\n');
      else setTimeout(() => res.end(), 5_000);
    };
    const held = new Set<string>();
    let pending = new Set<string>();
    const uid = (o: unknown) => (o as { metadata: { uid: string } }).metadata.uid;
    const reflector = new Reflector({
      connection: connection(),
      resource: RESOURCES.pods,
      log: silentLogger,
      watchSeconds: 1,
      sink: {
        beginSync: () => (pending = new Set()),
        upsert: (o) => (held.add(uid(o)), pending.add(uid(o))),
        remove: (o) => held.delete(uid(o)),
        endSync: () => [...held].filter((u) => !pending.has(u)).forEach((u) => held.delete(u)),
      },
    });
    try {
      await reflector.whenSynced();
      await new Promise((r) => setTimeout(r, 300));
      expect([...held]).toEqual(['c']);
      const calls = seen.map((u) =>
        u.searchParams.get('watch') === '1' ? `watch@${u.searchParams.get('resourceVersion')}` : 'list',
      );
      expect(calls).toEqual(['list', 'watch@10', 'watch@20', 'list', 'watch@50']);
    } finally {
      reflector.stop();
    }
  });

  it('rejects those waiting for the first list when it fails, and retries when asked again', async () => {
    let fail = true;
    handler = (_req, res, url) => {
      if (url.searchParams.get('watch') === '1') return void setTimeout(() => res.end(), 5_000);
      if (fail) return json(res, 500, status(500, 'InternalError', 'etcd is sad'));
      json(res, 200, { metadata: { resourceVersion: '1' }, items: [] });
    };
    const reflector = new Reflector({
      connection: connection(),
      resource: RESOURCES.pods,
      log: silentLogger,
      backoffMs: { first: 60_000, max: 60_000 },
      sink: { beginSync() {}, upsert() {}, remove() {}, endSync() {} },
    });
    try {
      await expect(reflector.whenSynced()).rejects.toMatchObject({ code: 500, message: 'etcd is sad' });
      fail = false;
      // Waiting out a one-minute backoff would be wrong: someone is asking now.
      await reflector.whenSynced();
      expect(reflector.synced).toBe(true);
    } finally {
      reflector.stop();
    }
  });
});
