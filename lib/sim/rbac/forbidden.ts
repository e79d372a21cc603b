/** The 403 kube-apiserver answers when authorization denies a request, worded exactly as it words it. */
import { StatusError } from '../../errors';
import type { RequestAttributes } from './attributes';

export function forbidden(username: string, attrs: RequestAttributes, reason: string): StatusError {
  const suffix = reason === '' ? '' : `: ${reason}`;
  if (attrs.kind === 'nonResource')
    return new StatusError(
      'Forbidden',
      `forbidden: User ${JSON.stringify(username)} cannot ${attrs.verb} path ${JSON.stringify(attrs.path)}${suffix}`,
      {},
    );
  const resource = attrs.subresource === '' ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
  const scope = attrs.namespace === '' ? 'at the cluster scope' : `in the namespace ${JSON.stringify(attrs.namespace)}`;
  const why = `User ${JSON.stringify(username)} cannot ${attrs.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attrs.apiGroup)} ${scope}${suffix}`;
  const qualified = attrs.apiGroup === '' ? attrs.resource : `${attrs.resource}.${attrs.apiGroup}`;
  const subject = attrs.name === '' ? qualified : `${qualified} ${JSON.stringify(attrs.name)}`;
  const details = {
    ...(attrs.name === '' ? {} : { name: attrs.name }),
    ...(attrs.apiGroup === '' ? {} : { group: attrs.apiGroup }),
    kind: attrs.resource,
  };
  return new StatusError('Forbidden', `${subject} is forbidden: ${why}`, details);
}
