import * as v from 'valibot';

/**
 * The kubeconfig v1 entry shapes, as client-go decodes them: unknown fields are ignored, `null` is the
 * same as absent, and a value of the wrong type makes the entry unusable (kubectl refuses the file).
 */

/** A field that may be absent or null; null becomes undefined, as Go's zero value would. */
const optional = <T extends v.GenericSchema>(schema: T) =>
  v.pipe(
    v.nullish(schema),
    v.transform((value) => value ?? undefined),
  );

/** A string field: empty is the same as absent, as Go cannot tell them apart (client-go tests `len(x) == 0`). */
const str = v.pipe(
  optional(v.string()),
  v.transform((value) => (value === '' ? undefined : value)),
);
const bool = optional(v.boolean());

const extensions = optional(v.array(v.object({ name: v.string(), extension: v.unknown() })));

export const ClusterSchema = v.object({
  server: str,
  'tls-server-name': str,
  'insecure-skip-tls-verify': bool,
  'certificate-authority': str,
  'certificate-authority-data': str,
  'proxy-url': str,
  'disable-compression': bool,
  extensions,
});

export const ExecConfigSchema = v.object({
  command: str,
  args: optional(v.array(v.string())),
  env: optional(v.array(v.object({ name: optional(v.string()), value: optional(v.string()) }))),
  apiVersion: str,
  installHint: str,
  provideClusterInfo: bool,
  interactiveMode: str,
});

export const UserSchema = v.object({
  'client-certificate': str,
  'client-certificate-data': str,
  'client-key': str,
  'client-key-data': str,
  token: str,
  tokenFile: str,
  as: str,
  'as-uid': str,
  'as-groups': optional(v.array(v.string())),
  'as-user-extra': optional(v.record(v.string(), v.array(v.string()))),
  username: str,
  password: str,
  'auth-provider': optional(v.object({ name: str, config: optional(v.record(v.string(), v.string())) })),
  exec: optional(ExecConfigSchema),
  extensions,
});

export const ContextSchema = v.object({
  cluster: str,
  user: str,
  namespace: str,
  extensions,
});

export type KubeconfigCluster = v.InferOutput<typeof ClusterSchema>;
export type KubeconfigUser = v.InferOutput<typeof UserSchema>;
export type KubeconfigExec = v.InferOutput<typeof ExecConfigSchema>;
export type KubeconfigContext = v.InferOutput<typeof ContextSchema>;

/**
 * Validates one entry body. The message names the field and the expected type but never the value
 * received: a mistyped `token` must not end up in an error message.
 */
export function validateEntry<T extends v.GenericSchema>(
  schema: T,
  input: unknown,
): { value: v.InferOutput<T> } | { error: string } {
  const result = v.safeParse(schema, input ?? {});
  if (result.success) return { value: result.output };
  const issue = result.issues[0];
  const path = (issue.path ?? []).map((item) => String(item.key)).join('.');
  const expected = issue.expected === null ? 'a valid value' : issue.expected;
  return { error: path === '' ? `expected ${expected}` : `field ${path}: expected ${expected}` };
}
