import { request } from 'undici';
import type { ClusterConnection, CredentialHeaders } from '../clusters/types';
import { StatusError } from '../errors';
import type { KubeCall, KubeRequest, KubeResponse } from './kube-call';

const HEADERS_TIMEOUT_MS = 30_000;

function targetUrl(connection: ClusterConnection, req: KubeRequest): string {
  const base = connection.server.href.replace(/\/$/, '');
  const query = req.query === undefined ? '' : new URLSearchParams(req.query).toString();
  return `${base}${req.path}${query === '' ? '' : `?${query}`}`;
}

async function once(connection: ClusterConnection, req: KubeRequest, credentials: CredentialHeaders): Promise<KubeResponse> {
  const headers: Record<string, string | string[]> = { ...credentials, accept: req.accept ?? 'application/json' };
  if (req.contentType !== undefined) headers['content-type'] = req.contentType;
  let res;
  try {
    res = await request(targetUrl(connection, req), {
      method: req.method,
      headers,
      body: req.body,
      dispatcher: connection.dispatcher,
      headersTimeout: HEADERS_TIMEOUT_MS,
    });
  } catch (err) {
    throw new StatusError('BadGateway', `cluster ${connection.context.name} (${connection.server.host}) could not be reached: ${(err as Error).message}`, undefined, { cause: err });
  }
  const text = await res.body.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, body };
}

/** JSON requests to one context, with its credentials; a 401 refreshes them and retries once (bodies are strings, so replayable). */
export function kubeCallFor(connection: ClusterConnection): KubeCall {
  return async (req) => {
    const used = await connection.credentials();
    const first = await once(connection, req, used);
    // Passing what was used lets concurrent 401s share one refresh.
    if (first.status !== 401 || !(await connection.refreshCredentials(used))) return first;
    return once(connection, req, await connection.credentials());
  };
}
