/**
 * What the apiextensions server does with a CustomResourceDefinition write, done at write time: defaulting,
 * validation (422 Invalid with apimachinery's field errors), and the status its naming and establishing
 * controllers would have written moments later — names accepted unless another CRD of the group already
 * uses them, then Established, so the resource is served as soon as the write returns.
 * Simplified: a schema is required but not checked for being structural (crd/schema.ts prunes and defaults
 * custom resources with it), and only the first conflicting name is reported.
 */
import type { StatusCause } from '../../errors';
import type { ApiResource } from '../api/resources';
import type { CrdCondition, CrdNames, CrdStatus, CustomResourceDefinition } from './definition';
import { dns1123LabelProblem, dns1123SubdomainProblem, invalid, isObject, type KubeObject } from '../object-meta';

type Json = Record<string, unknown>;

const APPROVAL_ANNOTATION = 'api-approved.kubernetes.io';

const obj = (v: unknown): Json => (isObject(v) ? v : {});
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function isProtectedGroup(group: string): boolean {
  return (
    group === 'k8s.io' || group.endsWith('.k8s.io') || group === 'kubernetes.io' || group.endsWith('.kubernetes.io')
  );
}

/** The defaults the apiextensions v1 API fills in: singular and listKind from kind, conversion None. */
function applyDefaults(crd: KubeObject): void {
  const spec = obj(crd.spec);
  const names = obj(spec.names);
  const kind = text(names.kind);
  if (kind !== '') {
    names.singular ??= kind.toLowerCase();
    names.listKind ??= `${kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
}

function versionCauses(versions: unknown[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  versions.forEach((raw, i) => {
    const v = obj(raw);
    const field = `spec.versions[${i}]`;
    const name = text(v.name);
    if (name === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${field}.name` });
    else {
      const problem = dns1123LabelProblem(name);
      if (problem !== undefined) causes.push({ reason: 'FieldValueInvalid', message: problem, field: `${field}.name` });
      if (seen.has(name))
        causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${name}"`, field: `${field}.name` });
      seen.add(name);
    }
    if (!isObject(obj(v.schema).openAPIV3Schema))
      causes.push({
        reason: 'FieldValueRequired',
        message: 'Required value: schemas are required',
        field: `${field}.schema.openAPIV3Schema`,
      });
    const scale = obj(v.subresources).scale;
    if (isObject(scale)) {
      for (const path of ['specReplicasPath', 'statusReplicasPath']) {
        if (text(scale[path]) === '')
          causes.push({
            reason: 'FieldValueRequired',
            message: 'Required value',
            field: `${field}.subresources.scale.${path}`,
          });
      }
    }
  });
  const storage = versions.filter((v) => obj(v).storage === true).length;
  if (storage !== 1) {
    const names = JSON.stringify(versions.map((v) => text(obj(v).name)));
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${names}: must have exactly one version marked as storage version`,
      field: 'spec.versions',
    });
  }
  return causes;
}

/** The field errors of a CRD write (`previous` is the stored CRD on update). */
function crdCauses(crd: KubeObject, previous: KubeObject | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = obj(crd.spec);
  const names = obj(spec.names);
  const group = text(spec.group);
  const plural = text(names.plural);

  if (group === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.group' });
  else if (!group.includes('.'))
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${group}": should be a domain with at least one dot`,
      field: 'spec.group',
    });
  else {
    const problem = dns1123SubdomainProblem(group);
    if (problem !== undefined) causes.push({ reason: 'FieldValueInvalid', message: problem, field: 'spec.group' });
  }
  if (isProtectedGroup(group) && obj(crd.metadata.annotations)[APPROVAL_ANNOTATION] === undefined) {
    causes.push({
      reason: 'FieldValueRequired',
      message: `Required value: protected groups must have approval annotation "${APPROVAL_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`,
      field: `metadata.annotations[${APPROVAL_ANNOTATION}]`,
    });
  }
  if (plural === '')
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.names.plural' });
  else {
    const problem = dns1123LabelProblem(plural);
    if (problem !== undefined)
      causes.push({ reason: 'FieldValueInvalid', message: problem, field: 'spec.names.plural' });
  }
  if (text(names.kind) === '')
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.names.kind' });
  const name = crd.metadata.name ?? '';
  if (plural !== '' && group !== '' && name !== `${plural}.${group}`) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
      field: 'metadata.name',
    });
  }

  const scope = spec.scope;
  if (scope === undefined || scope === '')
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.scope' });
  else if (scope !== 'Namespaced' && scope !== 'Cluster') {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(scope)}: supported values: "Cluster", "Namespaced"`,
      field: 'spec.scope',
    });
  } else if (previous !== undefined && obj(previous.spec).scope !== scope) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${scope}": field is immutable`,
      field: 'spec.scope',
    });
  }

  if (!Array.isArray(spec.versions))
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.versions' });
  else causes.push(...versionCauses(spec.versions));
  return causes;
}

/** The names a CRD asks for, in the field order of CustomResourceDefinitionNames. */
function requestedNames(crd: CustomResourceDefinition): CrdNames {
  const { plural, singular, shortNames, kind, listKind, categories } = crd.spec.names;
  return {
    plural,
    ...(singular !== undefined ? { singular } : {}),
    ...(shortNames?.length ? { shortNames } : {}),
    kind,
    ...(listKind !== undefined ? { listKind } : {}),
    ...(categories?.length ? { categories } : {}),
  };
}

/** The naming controller's check against the names other CRDs of the group were accepted with. */
function nameConflict(
  names: CrdNames,
  others: readonly CustomResourceDefinition[],
): { reason: string; message: string } | undefined {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of others) {
    const accepted = other.status?.acceptedNames;
    if (accepted === undefined || accepted.plural === '') continue;
    for (const n of [accepted.plural, accepted.singular, ...(accepted.shortNames ?? [])]) if (n) resources.add(n);
    for (const k of [accepted.kind, accepted.listKind]) if (k) kinds.add(k);
  }
  const inUse = (name: string) => `"${name}" is already in use`;
  if (resources.has(names.plural)) return { reason: 'PluralConflict', message: inUse(names.plural) };
  if (names.singular !== undefined && resources.has(names.singular))
    return { reason: 'SingularConflict', message: inUse(names.singular) };
  const shortName = names.shortNames?.find((s) => resources.has(s));
  if (shortName !== undefined) return { reason: 'ShortNamesConflict', message: inUse(shortName) };
  if (kinds.has(names.kind)) return { reason: 'KindConflict', message: inUse(names.kind) };
  if (names.listKind !== undefined && kinds.has(names.listKind))
    return { reason: 'ListKindConflict', message: inUse(names.listKind) };
  return undefined;
}

/** A condition, keeping its lastTransitionTime while its status does not change. */
function condition(
  previous: CrdStatus | undefined,
  type: string,
  status: CrdCondition['status'],
  reason: string,
  message: string,
  now: string,
): CrdCondition {
  const before = previous?.conditions?.find((c) => c.type === type);
  const since =
    before !== undefined && before.status === status && before.lastTransitionTime !== undefined
      ? before.lastTransitionTime
      : now;
  return { type, status, lastTransitionTime: since, reason, message };
}

function crdStatus(
  crd: CustomResourceDefinition,
  previous: CrdStatus | undefined,
  others: readonly CustomResourceDefinition[],
  now: string,
): CrdStatus {
  const names = requestedNames(crd);
  const conflict = nameConflict(
    names,
    others.filter((o) => o.spec.group === crd.spec.group && o.metadata.name !== crd.metadata.name),
  );
  const wasEstablished = previous?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  const conditions = conflict
    ? [
        condition(previous, 'NamesAccepted', 'False', conflict.reason, conflict.message, now),
        wasEstablished
          ? condition(
              previous,
              'Established',
              'True',
              'InitialNamesAccepted',
              'the initial names have been accepted',
              now,
            )
          : condition(previous, 'Established', 'False', 'NotAccepted', 'not all names are accepted', now),
      ]
    : [
        condition(previous, 'NamesAccepted', 'True', 'NoConflicts', 'no conflicts found', now),
        condition(previous, 'Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted', now),
      ];
  const acceptedNames = conflict ? (previous?.acceptedNames ?? { plural: '', kind: '' }) : names;
  const storedVersions = [...(previous?.storedVersions ?? [])];
  const storage = crd.spec.versions.find((v) => v.storage)?.name;
  if (storage !== undefined && !storedVersions.includes(storage)) storedVersions.push(storage);
  return { conditions, acceptedNames, storedVersions };
}

/**
 * Defaults and validates a CRD about to be stored (throwing 422 Invalid), then writes the status the
 * controllers would: `previous` is the stored CRD on update, `others` every stored CRD.
 */
export function admitCrd(
  res: ApiResource,
  crd: KubeObject,
  previous: KubeObject | undefined,
  others: readonly CustomResourceDefinition[],
  now: string,
): void {
  applyDefaults(crd);
  const causes = crdCauses(crd, previous);
  if (causes.length > 0) throw invalid(res, crd.metadata.name ?? '', causes);
  const prior = previous === undefined ? undefined : (previous.status as CrdStatus | undefined);
  crd.status = crdStatus(crd as unknown as CustomResourceDefinition, prior, others, now);
}
