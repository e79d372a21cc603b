import type { MiddlewareHandler } from 'hono';
import { createAdmission, type AdmissionPolicy } from '../../lib/admission';
import { statusResponse } from '../status-response';

/** Host check (DNS rebinding) and optional bearer token, before any route runs. */
export function admission(policy: AdmissionPolicy): MiddlewareHandler {
  const admit = createAdmission(policy);
  return async (c, next) => {
    const rejected = admit({ host: c.req.header('host'), authorization: c.req.header('authorization'), path: c.req.path });
    if (rejected !== undefined) return statusResponse(rejected.toStatus());
    await next();
  };
}
