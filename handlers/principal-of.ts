import type { Context } from 'hono';
import { OWNER, PRINCIPAL, type Principal } from '../lib/auth/principal';

/** The variable admission sets (handlers/middleware/admission.ts), typed here so every route reads it alike. */
type WithPrincipal = Context<{ Variables: { [PRINCIPAL]?: Principal } }>;

/**
 * Who the request acts as. Admission sets it on every request it authenticated; a route reached without one (the
 * open paths, `--auth none`) acts as the owner, whose requests use the context's own credentials.
 */
export function principalOf(c: Context): Principal {
  return (c as WithPrincipal).get(PRINCIPAL) ?? OWNER;
}
