/**
 * A minimal OpenAPI v3 (`/openapi/v3` and one document per group/version): the PATCH operation of every
 * patchable resource with its `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter,
 * and no schemas. That is what kubectl reads to decide it may leave validation to the server
 * (`fieldValidation=Strict`) instead of downloading schemas for client-side validation, which is why
 * create/apply/replace work without `--validate=false`. With no component schemas, client-side apply
 * computes its strategic merge patches from kubectl's built-in types, as it does for any server without them.
 * /openapi/v2 is not served (404), which kubectl tolerates once v3 answers.
 */
import { createHash } from 'node:crypto';
import type { ApiResource } from './resources';

export interface OpenApiDocs {
  root: string;
  /** `api/v1`, `apis/apps/v1` → document. */
  byPath: ReadonlyMap<string, string>;
}

const UNIQUE_STRING = { type: 'string', uniqueItems: true };

function patchOperation(res: ApiResource): Record<string, unknown> {
  const groupPart =
    res.group === ''
      ? 'Core'
      : res.group
          .split('.')
          .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
          .join('');
  return {
    tags: [res.group === '' ? `core_${res.version}` : `${res.group.replace(/\./g, '_')}_${res.version}`],
    description: `partially update the specified ${res.kind}`,
    operationId: `patch${groupPart}${res.version.charAt(0).toUpperCase()}${res.version.slice(1)}${res.namespaced ? 'Namespaced' : ''}${res.kind}`,
    parameters: [
      { name: 'dryRun', in: 'query', schema: UNIQUE_STRING },
      { name: 'fieldManager', in: 'query', schema: UNIQUE_STRING },
      { name: 'fieldValidation', in: 'query', schema: UNIQUE_STRING },
      { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
    ],
    responses: {
      '200': { description: 'OK' },
      '201': { description: 'Created' },
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': { group: res.group, version: res.version, kind: res.kind },
  };
}

export function buildOpenApiDocs(resources: Iterable<ApiResource>): OpenApiDocs {
  const byGroupVersion = new Map<string, Record<string, unknown>>();
  for (const res of resources) {
    if (res.group === 'metrics.k8s.io' || !res.verbs.has('patch')) continue;
    const apiPath = res.group === '' ? `api/${res.version}` : `apis/${res.group}/${res.version}`;
    const paths = byGroupVersion.get(apiPath) ?? {};
    const objectPath = `/${apiPath}/${res.namespaced ? 'namespaces/{namespace}/' : ''}${res.resource}/{name}`;
    paths[objectPath] = { patch: patchOperation(res) };
    byGroupVersion.set(apiPath, paths);
  }
  const byPath = new Map<string, string>();
  const rootPaths: Record<string, { serverRelativeURL: string }> = {};
  for (const [apiPath, paths] of byGroupVersion) {
    const doc = JSON.stringify({
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'v1.32.4' },
      paths,
      components: { schemas: {} },
    });
    byPath.set(apiPath, doc);
    const hash = createHash('sha512').update(doc).digest('hex').toUpperCase();
    rootPaths[apiPath] = { serverRelativeURL: `/openapi/v3/${apiPath}?hash=${hash}` };
  }
  return { root: JSON.stringify({ paths: rootPaths }), byPath };
}
