import type { MiddlewareHandler } from 'hono';
import { StatusError } from '../../lib/errors';
import { statusResponse } from '../status-response';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The hostname part of a Host header, lower-cased; brackets kept for IPv6 literals. */
export function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  const colon = trimmed.lastIndexOf(':');
  return colon === -1 ? trimmed : trimmed.slice(0, colon);
}

/**
 * Rejects requests whose Host is not one we answer to, so a web page on an attacker's domain that
 * rebinds its DNS name to 127.0.0.1 cannot read the API (DNS rebinding). Ports are not compared: the
 * attack is about names, and port forwarding legitimately changes the port.
 */
export function hostCheck(allowedHosts: readonly string[]): MiddlewareHandler {
  const allowed = new Set([...LOOPBACK_NAMES, ...allowedHosts.map((h) => hostnameOf(h))]);
  return async (c, next) => {
    const host = c.req.header('host');
    if (host === undefined || !allowed.has(hostnameOf(host))) {
      return statusResponse(
        new StatusError('Forbidden', `host ${JSON.stringify(host ?? '')} is not allowed; use localhost or add it with --allow-host`).toStatus(),
      );
    }
    await next();
  };
}
