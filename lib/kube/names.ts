import { StatusError, type StatusDetails } from '../errors';

/**
 * Kubernetes' name rules, checked as the API server checks them: apply builds API paths from names (an object
 * named `..` would otherwise address another object), and a kubeconfig context's namespace must be a label.
 * Each function returns what is wrong, or undefined.
 */

/** Kubernetes' IsValidPathSegmentName: metadata.name of any kind. */
export function pathSegmentNameProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return `may not be '${name}'`;
  return pathSegmentPrefixProblem(name);
}

/** Kubernetes' IsValidPathSegmentPrefix: metadata.generateName, to which the server appends a suffix. */
export function pathSegmentPrefixProblem(prefix: string): string | undefined {
  for (const forbidden of ['/', '%']) if (prefix.includes(forbidden)) return `may not contain '${forbidden}'`;
  return undefined;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MAX = 63;

/** A namespace name is a DNS-1123 label. */
export function namespaceProblem(namespace: string): string | undefined {
  if (namespace.length > DNS1123_LABEL_MAX) return `must be no more than ${DNS1123_LABEL_MAX} characters`;
  if (!DNS1123_LABEL.test(namespace)) {
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** The API server's answer to a bad field value: 422 Invalid, with the field as the cause. */
export function invalidValue(
  subject: string,
  field: string,
  value: unknown,
  problem: string,
  details: StatusDetails = {},
): StatusError {
  const message = `Invalid value: ${JSON.stringify(value)}: ${problem}`;
  return new StatusError('Invalid', `${subject} is invalid: ${field}: ${message}`, {
    ...details,
    causes: [{ reason: 'FieldValueInvalid', field, message }],
  });
}
