import { Hono } from 'hono';
import type { Principal } from '../lib/auth/principal';
import { connectionFor } from '../lib/clusters/principal-connection';
import type { ClusterRegistry } from '../lib/clusters/types';
import { StatusError, toStatusError } from '../lib/errors';
import { DEFAULT_FORWARD_OPTIONS, forward, type ForwardOptions } from '../lib/proxy/forward';
import { hasRequestBody, type HeaderMap } from '../lib/proxy/headers';
import { isApplyRoute, isWatch, resolveRawTarget } from '../lib/proxy/raw-target';
import { endingRetiredWatches } from '../lib/proxy/retired-watch';
import { createWebSink } from '../lib/proxy/web-sink';
import { principalOf } from './principal-of';
import { statusResponse } from './status-response';

/**
 * `ANY /raw/clusters/:cluster/<Kubernetes API path>`: the cluster's API, streamed both ways. Mounted at
 * `/raw/clusters` after the apply routes, which its catch-all would otherwise take.
 *
 * Fetch style, for every runtime. On Node the raw fast path (lib/node/raw-fast-path.ts) answers these
 * requests first; it sees the request target before URL normalization, which this handler cannot:
 * here `..` has already been resolved by the URL parser and what remains is checked as it stands.
 */

function pathAndQuery(url: string): string {
  const scheme = url.indexOf('://');
  const slash = url.indexOf('/', scheme === -1 ? 0 : scheme + 3);
  return slash === -1 ? '/' : url.slice(slash);
}

function headerMap(headers: Headers): HeaderMap {
  const map: HeaderMap = {};
  headers.forEach((value, name) => {
    map[name] = value;
  });
  return map;
}

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function answer(
  req: Request,
  registry: ClusterRegistry,
  options: ForwardOptions,
  principal: Principal,
): Promise<Response> | Response {
  const method = req.method;
  const resolved = resolveRawTarget(registry, pathAndQuery(req.url));
  const { target } = resolved;
  const conn = connectionFor(resolved.conn, principal);
  if (isApplyRoute(method, target)) {
    throw new StatusError(
      'MethodNotAllowed',
      `${method} /raw/clusters/<context> (apply a manifest) is not available; send the request to an API path`,
    );
  }
  const headers = headerMap(req.headers);
  const upstream = new AbortController();
  const cancel = () => upstream.abort();
  req.signal.addEventListener('abort', cancel, { once: true });
  const { sink, response } = createWebSink(method, cancel, (error) => statusResponse(error.toStatus()));
  const body = hasRequestBody(headers) && req.body !== null ? chunksOf(req.body) : undefined;
  const watchAware = endingRetiredWatches(sink, isWatch(target));
  void forward(conn, { method, target, headers, body, signal: upstream.signal }, watchAware, options).finally(() =>
    req.signal.removeEventListener('abort', cancel),
  );
  return response;
}

export function rawRoutes(registry: ClusterRegistry, options: ForwardOptions = DEFAULT_FORWARD_OPTIONS): Hono {
  const app = new Hono();
  app.all('/*', (c) => {
    try {
      return answer(c.req.raw, registry, options, principalOf(c));
    } catch (err) {
      return statusResponse(toStatusError(err).toStatus());
    }
  });
  return app;
}
