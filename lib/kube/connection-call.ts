import type { ClusterConnection } from '../clusters/types';
import { StatusError } from '../errors';
import { kubeRequest } from './request';
import type { KubeCall } from './kube-call';

/** Apply may wait on admission webhooks and a CRD's establishment; views keep the shorter default. */
const HEADERS_TIMEOUT_MS = 30_000;

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * JSON requests to one context through the shared client (credentials, one retry after a 401, unreachable →
 * 502/504). Failures come back as answers carrying their Status, so apply reports each document's own error.
 */
export function kubeCallFor(connection: ClusterConnection): KubeCall {
  return async (req) => {
    const headers: Record<string, string> = { accept: req.accept ?? 'application/json' };
    if (req.contentType !== undefined) headers['content-type'] = req.contentType;
    try {
      const res = await kubeRequest(connection, {
        method: req.method,
        path: req.path,
        query: req.query,
        headers,
        body: req.body,
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
      });
      return { status: res.statusCode, body: parseJson(await res.body.text()) };
    } catch (err) {
      if (err instanceof StatusError) return { status: err.code, body: err.toStatus() };
      throw err;
    }
  };
}
