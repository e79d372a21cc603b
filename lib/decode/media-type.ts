import { StatusError } from '../errors';

export type BodyFormat = 'json' | 'yaml';

const JSON_TYPES: ReadonlySet<string> = new Set(['application/json']);
const YAML_TYPES: ReadonlySet<string> = new Set(['application/yaml', 'application/x-yaml', 'text/yaml']);
/** Structured-syntax suffixes (RFC 6839), e.g. application/apply-patch+yaml, application/merge-patch+json. */
const SUFFIXED = /^application\/[\w.-]+\+(json|yaml)$/;

/**
 * The format a Content-Type names. Anything else is refused (415), a missing type too: text/plain, forms and
 * multipart are what a foreign page can send without a preflight, and guessing the format from the body is
 * how such a request would get through.
 */
export function bodyFormat(contentType: string | null): BodyFormat {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (JSON_TYPES.has(mediaType)) return 'json';
  if (YAML_TYPES.has(mediaType)) return 'yaml';
  const suffix = SUFFIXED.exec(mediaType)?.[1];
  if (suffix === 'json' || suffix === 'yaml') return suffix;
  const problem =
    mediaType === '' ? 'the request has no Content-Type' : `unsupported media type ${JSON.stringify(mediaType)}`;
  throw new StatusError('UnsupportedMediaType', `${problem}: send application/json or application/yaml`);
}
