/**
 * Refuses a user (`--auth user`) what their SelfSubjectAccessReview says they may not do, before kore-board serves
 * them data it gathered with the context's credentials (metrics, terminal targets). The owner passes untouched.
 */
import { StatusError } from '../errors';
import type { ClusterConnection } from '../clusters/types';
import type { Principal } from './principal';
import type { AccessQuestion, AccessReviews } from './access-reviews';

/** The refusal in kube-apiserver's own words, so a user reads the same sentence kubectl would show them. */
export function accessDenied(username: string, q: AccessQuestion): StatusError {
  const resource = q.subresource === undefined ? q.resource : `${q.resource}/${q.subresource}`;
  const scope = q.namespace === undefined ? 'at the cluster scope' : `in the namespace ${JSON.stringify(q.namespace)}`;
  const qualified = q.group === '' ? q.resource : `${q.resource}.${q.group}`;
  const subject = q.name === undefined ? qualified : `${qualified} ${JSON.stringify(q.name)}`;
  return new StatusError(
    'Forbidden',
    `${subject} is forbidden: User ${JSON.stringify(username)} cannot ${q.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(q.group)} ${scope}`,
    {
      kind: q.resource,
      ...(q.group === '' ? {} : { group: q.group }),
      ...(q.name === undefined ? {} : { name: q.name }),
    },
  );
}

/** Resolves when `principal` may; rejects with a 403 Status when a user may not. `conn` is the user's connection. */
export async function requireAccess(
  reviews: AccessReviews,
  conn: ClusterConnection,
  principal: Principal,
  question: AccessQuestion,
): Promise<void> {
  if (principal.kind === 'owner') return;
  if (!(await reviews.allowed(conn, question))) throw accessDenied(principal.username, question);
}
