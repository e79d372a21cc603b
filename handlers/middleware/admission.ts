import type { Context, MiddlewareHandler } from 'hono';
import {
  createAdmission,
  loginCookie,
  tokenMatches,
  type AdmissionOptions,
  type AdmissionPolicy,
} from '../../lib/admission';
import { statusResponse } from '../status-response';

/**
 * The login link printed at start (`/?token=…`, as notebook servers do): the token moves into an HttpOnly,
 * SameSite=Strict cookie and the browser is sent to the same address without it, so it stays out of history.
 */
function loginRedirect(c: Context, host: string, token: string): Response {
  const url = new URL(c.req.url);
  url.searchParams.delete('token');
  return new Response(null, {
    status: 303,
    headers: {
      location: `${url.pathname}${url.search}`,
      'set-cookie': loginCookie(host, token),
      'cache-control': 'no-store',
    },
  });
}

/** Host check (DNS rebinding), the origin rule (cross-site requests) and the access token, before any route runs. */
export function admission(policy: AdmissionPolicy, options: AdmissionOptions = {}): MiddlewareHandler {
  const admit = createAdmission(policy, options);
  return async (c, next) => {
    const header = (name: string) => c.req.header(name);
    const queryToken = c.req.method === 'GET' ? c.req.query('token') : undefined;
    const rejected = admit({
      method: c.req.method,
      path: c.req.path,
      upgrade: false,
      host: header('host'),
      origin: header('origin'),
      fetchSite: header('sec-fetch-site'),
      authorization: header('authorization'),
      cookie: header('cookie'),
      queryToken,
    });
    if (rejected !== undefined) return statusResponse(rejected.toStatus());
    const host = header('host');
    if (queryToken !== undefined && host !== undefined && tokenMatches(queryToken, policy.authToken))
      return loginRedirect(c, host, queryToken);
    await next();
  };
}
