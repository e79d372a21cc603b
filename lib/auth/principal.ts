/**
 * Who a request acts as, decided once at the entrance it came through (the app, the Node `/raw` fast path, an upgrade)
 * by authentication, and read by everything that reaches a cluster on its behalf.
 *
 * - `owner`: `--auth none` on loopback, or a caller holding the static token (or a session minted from it). Clusters
 *   are reached with each context's own kubeconfig credentials.
 * - `user` (`--auth user`): a person with Kubernetes credentials of their own. Clusters are reached with `bearerToken`
 *   alone, never with the context's credentials; it never appears in a log line or an answer.
 */
export type Principal =
  { kind: 'owner' } | { kind: 'user'; username: string; groups: readonly string[]; bearerToken: string };

export const OWNER: Principal = { kind: 'owner' };

/** The Hono context variable holding the request's Principal (`c.get(PRINCIPAL)`), set by the admission middleware. */
export const PRINCIPAL = 'principal';

/** How a Principal is named in logs and answers: the user's name, never the token. */
export function principalName(principal: Principal): string {
  return principal.kind === 'user' ? principal.username : 'owner';
}
