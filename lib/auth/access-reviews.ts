/**
 * "May this user do X?" asked of the cluster itself with a SelfSubjectAccessReview sent with the user's own token
 * (`--auth user`), for what kore-board serves from data it gathered with the context's credentials: views from the
 * shared watch cache, metrics from the scraper, terminal tokens. Answers are kept briefly (the injected clock decides)
 * so a page that asks many times asks the cluster once; concurrent identical questions share one review.
 */
import type { Clock } from '../clock';
import { ExpiringAnswers } from './expiring-answers';
import type { ClusterConnection } from '../clusters/types';
import { kubeJson } from '../kube/request';

/** What a SelfSubjectAccessReview's `spec.resourceAttributes` names. */
export interface AccessQuestion {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** Absent: cluster-wide (for a namespaced resource, every namespace). */
  namespace?: string;
  name?: string;
}

export interface AccessReviews {
  /**
   * Whether the user `conn` acts as (ClusterConnection.asBearer) may do it. Rejects with the cluster's Status when
   * the review itself fails (401 for a token the cluster no longer accepts).
   */
  allowed(conn: ClusterConnection, question: AccessQuestion): Promise<boolean>;
}

export interface AccessReviewOptions {
  clock: Clock;
  /** How long an answer is reused. Default 10 s: a revoked permission stops showing within that. */
  ttlMs?: number;
  /** Answers kept at most; the oldest go first. Default 10,000. */
  maxEntries?: number;
  headersTimeoutMs?: number;
}

const REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

function keyOf(conn: ClusterConnection, q: AccessQuestion, token: string): string {
  return JSON.stringify([
    conn.context.name,
    token,
    q.verb,
    q.group,
    q.resource,
    q.subresource ?? '',
    q.namespace ?? '',
    q.name ?? '',
  ]);
}

export function createAccessReviews(options: AccessReviewOptions): AccessReviews {
  // Promises, so that concurrent identical questions share one review.
  const answers = new ExpiringAnswers<Promise<boolean>>({
    clock: options.clock,
    ttlMs: options.ttlMs ?? 10_000,
    maxEntries: options.maxEntries ?? 10_000,
  });

  const ask = async (conn: ClusterConnection, q: AccessQuestion): Promise<boolean> => {
    const review = await kubeJson<{ status?: { allowed?: unknown } }>(conn, {
      method: 'POST',
      path: REVIEW_PATH,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { ...q } },
      }),
      ...(options.headersTimeoutMs === undefined ? {} : { headersTimeoutMs: options.headersTimeoutMs }),
    });
    return review.status?.allowed === true;
  };

  return {
    async allowed(conn, question) {
      // The token is part of the key (held in memory only, like the sessions that carry it): users never share answers.
      const key = keyOf(conn, question, String((await conn.credentials()).authorization ?? ''));
      const kept = answers.get(key);
      if (kept !== undefined) return kept;
      const answer = ask(conn, question);
      answers.set(key, answer);
      // A failed review is not an answer: the next request asks again.
      answer.catch(() => answers.get(key) === answer && answers.delete(key));
      return answer;
    },
  };
}
