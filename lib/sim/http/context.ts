/** What every resource handler gets: the request, its parsed route and query, and the store. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimStore, Filter } from '../store/store';
import type { Authenticator, UserInfo } from './auth';
import type { ResourceRoute } from './route';
import type { RbacAuthorizer } from '../rbac/authorizer';
import { parseFieldSelector, parseLabelSelector } from '../store/selectors';
import { selectableFields } from '../store/selectable-fields';

export interface HandlerContext {
  req: IncomingMessage;
  res: ServerResponse;
  route: ResourceRoute;
  query: URLSearchParams;
  store: SimStore;
  /** Who is asking (self reviews answer about them). */
  user: UserInfo;
  /** Issues tokens (serviceaccounts/token) the sim then accepts. */
  auth: Authenticator;
  /** What RBAC allows (access and rules reviews answer from it). */
  authorizer: RbacAuthorizer;
}

/** Namespace and selectors from the query, validated against what the resource can select on. */
export function filterOf(ctx: HandlerContext): Filter {
  const { res } = ctx.route;
  const gv = `${res.group}/${res.version}`;
  const filter: Filter = {
    labelSelector: parseLabelSelector(ctx.query.get('labelSelector')),
    fieldSelector: parseFieldSelector(
      ctx.query.get('fieldSelector'),
      selectableFields(res.kind),
      () => `"${gv}, Resource=${res.resource}"`,
    ),
  };
  if (ctx.route.namespace !== undefined) filter.namespace = ctx.route.namespace;
  return filter;
}

export function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1' || (v === '' && query.has(name));
}

export function dryRunParam(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}

/** dryRun and fieldManager of a write, from the query. */
export function writeOptions(ctx: HandlerContext): { dryRun: boolean; fieldManager?: string } {
  const fieldManager = ctx.query.get('fieldManager');
  return fieldManager ? { dryRun: dryRunParam(ctx.query), fieldManager } : { dryRun: dryRunParam(ctx.query) };
}
