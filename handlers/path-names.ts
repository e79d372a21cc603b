import * as v from 'valibot';
import { StatusError } from '../lib/errors';

/**
 * Object names taken from a URL path, checked before they reach an API path or a selector (so `..` or `a,b` never
 * do): 400 naming what is wrong.
 */

/** A namespace or container name: a DNS-1123 label. */
export const DNS_LABEL = v.pipe(v.string(), v.maxLength(63), v.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/));
/** A pod, node or workload name: a DNS-1123 subdomain. */
export const DNS_SUBDOMAIN = v.pipe(
  v.string(),
  v.maxLength(253),
  v.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/),
);

function valid(schema: typeof DNS_LABEL | typeof DNS_SUBDOMAIN, kind: string, value: string, what: string): string {
  if (!v.is(schema, value))
    throw new StatusError(
      'BadRequest',
      `invalid ${what} ${JSON.stringify(value)}: must be a lowercase RFC 1123 ${kind}`,
    );
  return value;
}

/** A namespace (a DNS-1123 label). */
export const labelParam = (value: string, what: string) => valid(DNS_LABEL, 'label', value, what);

/** A pod, node or workload name (a DNS-1123 subdomain). */
export const subdomainParam = (value: string, what: string) => valid(DNS_SUBDOMAIN, 'subdomain', value, what);
