import type { IncomingMessage } from 'node:http';

/**
 * `/token/<token>/…`: the access token as a path prefix, for kubectl. kubectl sends none of its kubeconfig
 * credentials to a plain-HTTP server, and its websocket dialer refuses a user part in the URL; a path prefix
 * in `--server` it keeps. The prefix is taken off before anything else reads the request, and the token
 * becomes the request's bearer token — which, like every caller credential, never reaches a cluster.
 */
const PREFIX = '/token/';

export function takePathToken(req: IncomingMessage): void {
  const url = req.url;
  if (url === undefined || !url.startsWith(PREFIX)) return;
  const end = url.indexOf('/', PREFIX.length);
  const token = url.slice(PREFIX.length, end === -1 ? url.length : end);
  req.url = end === -1 ? '/' : url.slice(end);
  if (token === '' || req.headers.authorization !== undefined) return;
  // Both views of the headers: the fast paths read `headers`, the Fetch adapter builds its Request from `rawHeaders`.
  req.headers.authorization = `Bearer ${token}`;
  req.rawHeaders.push('Authorization', `Bearer ${token}`);
}
