import * as v from 'valibot';
import { StatusError } from '../errors';
import { decodeUpload } from './own-kubeconfig';

/**
 * `POST /api/contexts/:cluster`, the web UI's "Add a cluster" form: one cluster and one user, turned into a
 * kubeconfig of one context that goes through the same store, checks and inline-only rule as an upload.
 */

const text = v.nullish(v.string());

// Loose cluster and user: a field the form does not offer (exec, tokenFile, certificate-authority…) is kept and
// reaches the upload checks, which refuse it with 422 saying why (lib/clusters/inline-only.ts), not a bare 400.
export const AddContextBody = v.strictObject({
  cluster: v.looseObject({
    server: v.pipe(v.string(), v.nonEmpty()),
    'certificate-authority-data': text,
    'insecure-skip-tls-verify': v.nullish(v.boolean()),
    'tls-server-name': text,
    'proxy-url': text,
  }),
  user: v.nullish(
    v.looseObject({
      token: text,
      'client-certificate-data': text,
      'client-key-data': text,
      username: text,
      password: text,
    }),
  ),
  namespace: text,
});

const BODY = 'the context';

/** 400 naming the first field that is not of the form's shape; never the value given (it may be a token). */
function shapeError(issue: v.BaseIssue<unknown>): StatusError {
  const field = (issue.path ?? []).map((item) => String(item.key)).join('.');
  const problem =
    issue.type === 'strict_object' && issue.expected === 'never'
      ? 'not a field of this form (cluster, user, namespace)'
      : issue.type === 'non_empty'
        ? 'must not be empty'
        : `expected ${issue.expected ?? 'a valid value'}`;
  const where = field === '' ? 'the body' : `field ${field}`;
  return new StatusError(
    'BadRequest',
    `${BODY}: ${where}: ${problem}`,
    field === '' ? undefined : { kind: 'Context', causes: [{ reason: 'FieldValueInvalid', field, message: problem }] },
  );
}

/**
 * The kubeconfig (as JSON text, which the store reads as YAML 1.1 like any upload) defining context `name`,
 * its cluster and user entries named after it. `body` is the request's text, JSON or YAML.
 */
export function kubeconfigForContext(name: string, body: string): string {
  const parsed = v.safeParse(AddContextBody, decodeUpload(body, BODY));
  if (!parsed.success) throw shapeError(parsed.issues[0]);
  const { cluster, user, namespace } = parsed.output;
  const context: Record<string, string> = { cluster: name, user: name };
  if (namespace !== undefined && namespace !== null && namespace !== '') context.namespace = namespace;
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: user ?? {} }],
    contexts: [{ name, context }],
  });
}
