import { StatusError } from './errors';

/**
 * Who may talk to kore-board at all, decided from two request headers. One pure function shared by the
 * Hono middleware, the Node fast path and the upgrade listener, so no entrance skips a check.
 */
export interface AdmissionPolicy {
  /** Host names accepted besides the loopback names (ports are not compared). */
  allowedHosts: readonly string[];
  /** When set, callers must present `Authorization: Bearer <token>`. */
  authToken: string | undefined;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** Probes come from the kubelet, which cannot hold our token. */
const UNAUTHENTICATED_PATHS = new Set(['/healthz', '/readyz']);

/** The hostname part of a Host header, lower-cased; brackets kept for IPv6 literals. */
export function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  const colon = trimmed.lastIndexOf(':');
  return colon === -1 ? trimmed : trimmed.slice(0, colon);
}

function bracketed(name: string): string {
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

export function createAdmission(policy: AdmissionPolicy): (req: { host: string | undefined; authorization: string | undefined; path: string }) => StatusError | undefined {
  const hosts = new Set([...LOOPBACK_NAMES, ...policy.allowedHosts.map((h) => hostnameOf(bracketed(h)))]);
  const expected = policy.authToken === undefined ? undefined : `Bearer ${policy.authToken}`;
  return ({ host, authorization, path }) => {
    // A page on an attacker's domain whose DNS name was rebound to 127.0.0.1 arrives with that name as Host.
    if (host === undefined || !hosts.has(hostnameOf(host))) {
      return new StatusError('Forbidden', `host ${JSON.stringify(host ?? '')} is not allowed; use localhost or add it with --allow-host`);
    }
    if (expected === undefined || UNAUTHENTICATED_PATHS.has(path)) return undefined;
    if (!constantTimeEqual(authorization ?? '', expected)) {
      return new StatusError('Unauthorized', 'kore-board requires "Authorization: Bearer <token>" (the --auth-token value)');
    }
    return undefined;
  };
}

/** Compares without an early exit, so response time does not reveal how much of a guess was right. */
function constantTimeEqual(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
  return diff === 0;
}
