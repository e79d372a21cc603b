/**
 * `--auth user`: who a Kubernetes bearer token belongs to, asked of the current context's cluster with a
 * SelfSubjectReview (what `kubectl auth whoami` sends) made with that token alone — never the context's own
 * credentials, so the answer is the token's user or a 401.
 */
import * as v from 'valibot';
import type { ClusterRegistry } from '../clusters/types';
import { StatusError, toStatusError } from '../errors';
import { kubeJson } from '../kube/request';
import type { ReviewToken } from './token-review';

const REVIEW_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
const REVIEW_BODY = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
/** A sign-in waits at most this long for the cluster. */
const REVIEW_TIMEOUT_MS = 5_000;

const ReviewSchema = v.object({
  status: v.object({
    userInfo: v.object({ username: v.pipe(v.string(), v.minLength(1)), groups: v.optional(v.array(v.string())) }),
  }),
});

/** Reviews against whichever context is current when asked (a kubeconfig reload may change it). */
export function selfSubjectReview(registry: ClusterRegistry): ReviewToken {
  return async (token) => {
    const context = registry.currentContext();
    if (context === undefined)
      return new StatusError(
        'ServiceUnavailable',
        '--auth user checks tokens with the current context, and there is none',
      );
    let answer: unknown;
    try {
      answer = await kubeJson(registry.connection(context).asBearer(token), {
        method: 'POST',
        path: REVIEW_PATH,
        headers: { 'content-type': 'application/json' },
        body: REVIEW_BODY,
        headersTimeoutMs: REVIEW_TIMEOUT_MS,
      });
    } catch (err) {
      const error = toStatusError(err);
      // The cluster's own words would name nothing useful; the token is never echoed.
      return error.code === 401
        ? new StatusError('Unauthorized', `context ${JSON.stringify(context)} does not accept this token`)
        : error;
    }
    const review = v.safeParse(ReviewSchema, answer);
    if (!review.success)
      return new StatusError(
        'BadGateway',
        `context ${JSON.stringify(context)} answered the SelfSubjectReview without a user`,
      );
    const { username, groups = [] } = review.output.status.userInfo;
    return { username, groups };
  };
}
