/**
 * The session cookies a browser signs in with: the access token (sent with every request) and the refresh token
 * (sent only to `/api/auth`, where it is traded for new ones). HttpOnly, so no script reads them; SameSite=Strict,
 * so no other site's page sends them; `Secure` when kore-board serves TLS.
 */
import { ACCESS_LIFETIME_S, REFRESH_LIFETIME_S, type SessionPair } from './session-tokens';

/** The hostname part of a Host header, lower-cased; brackets kept for IPv6 literals. */
export function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  const colon = trimmed.lastIndexOf(':');
  return colon === -1 ? trimmed : trimmed.slice(0, colon);
}

/**
 * Browsers send a host's cookies to every port of it, so the port is in the names: two kore-boards on one machine
 * keep apart instead of overwriting each other's cookies.
 */
function cookieName(base: string, host: string): string {
  const port = host.trim().slice(hostnameOf(host).length + 1);
  return port === '' ? base : `${base}-${port}`;
}

export const accessCookieName = (host: string) => cookieName('kore-board-token', host);
export const refreshCookieName = (host: string) => cookieName('kore-board-refresh', host);

function cookie(name: string, value: string, path: string, maxAge: number, secure: boolean): string {
  return `${name}=${value}; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

/** The two `Set-Cookie` values that sign a browser in, or with no pair, the ones that sign it out (Max-Age=0). */
export function sessionCookies(host: string, pair: SessionPair | undefined, secure: boolean): string[] {
  return [
    cookie(accessCookieName(host), pair?.token ?? '', '/', pair === undefined ? 0 : ACCESS_LIFETIME_S, secure),
    cookie(
      refreshCookieName(host),
      pair?.refreshToken ?? '',
      '/api/auth',
      pair === undefined ? 0 : REFRESH_LIFETIME_S,
      secure,
    ),
  ];
}

/** One cookie's value from a `Cookie` header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) {
      const value = pair.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}
