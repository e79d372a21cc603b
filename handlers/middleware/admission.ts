import type { Context, MiddlewareHandler } from 'hono';
import { createAdmission, type AdmissionOptions, type SettledPolicy } from '../../lib/admission';
import { checkSecret } from '../../lib/auth/authenticate';
import { PRINCIPAL, type Principal } from '../../lib/auth/principal';
import { sessionCookies } from '../../lib/auth/session-cookies';
import { StatusError } from '../../lib/errors';
import { statusResponse } from '../status-response';
import { clientAddressOf } from './client-address';

declare module 'hono' {
  interface ContextVariableMap {
    /**
     * Who the request acts as (lib/auth/principal.ts), set by admission on every request it authenticated. Open
     * paths (probes, the sign-in routes, the UI's files) have none unless `--auth none`; none of them reaches a cluster.
     */
    [PRINCIPAL]: Principal;
  }
}

/**
 * The login link printed at start (`/?token=…`, as notebook servers do), token mode only: the static token is
 * traded for session cookies (HttpOnly, SameSite=Strict) and the browser is sent to the same address without it,
 * so it stays out of history. A wrong token is a 401 (and counts as a failed sign-in).
 */
async function loginLink(c: Context, policy: SettledPolicy, host: string, token: string): Promise<Response> {
  const { auth } = policy;
  if (auth.mode !== 'token') throw new Error('a login link is only read in token mode');
  const principal = await checkSecret(auth, token, clientAddressOf(c));
  if (principal instanceof StatusError) return statusResponse(principal.toStatus());
  const url = new URL(c.req.url);
  url.searchParams.delete('token');
  const headers = new Headers({ location: `${url.pathname}${url.search}`, 'cache-control': 'no-store' });
  for (const cookie of sessionCookies(host, await auth.sessions.issue(principal), auth.secureCookies))
    headers.append('set-cookie', cookie);
  return new Response(null, { status: 303, headers });
}

/** Host check (DNS rebinding), the origin rule (cross-site requests) and sign-in, before any route runs. */
export function admission(policy: SettledPolicy, options: AdmissionOptions = {}): MiddlewareHandler {
  const admit = createAdmission(policy, options);
  return async (c, next) => {
    const header = (name: string) => c.req.header(name);
    const host = header('host');
    const queryToken = c.req.method === 'GET' && policy.auth.mode === 'token' ? c.req.query('token') : undefined;
    const admitted = await admit({
      method: c.req.method,
      path: c.req.path,
      upgrade: false,
      host,
      origin: header('origin'),
      fetchSite: header('sec-fetch-site'),
      // The login link's token stands for the Authorization header: it is checked as one, then traded below.
      authorization: header('authorization') ?? (queryToken === undefined ? undefined : `Bearer ${queryToken}`),
      cookie: header('cookie'),
      requestedWith: header('x-requested-with'),
      clientAddress: clientAddressOf(c),
    });
    if (admitted instanceof StatusError) return statusResponse(admitted.toStatus());
    if (queryToken !== undefined && host !== undefined) return loginLink(c, policy, host, queryToken);
    if (admitted.principal !== undefined) c.set(PRINCIPAL, admitted.principal);
    await next();
  };
}
