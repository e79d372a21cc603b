import type { Admit } from '../admission';
import { StatusError } from '../errors';

/**
 * Upgrades (pod exec, attach, port-forward, the terminal's websocket) at the edge: fetch cannot open an upgraded
 * connection to a cluster, so they are answered 501 — after the same admission as every other entrance, so a
 * stranger learns nothing more than a 401 or 403.
 */

const NO_UPGRADES =
  'exec, attach, port-forward and the web terminal need upgraded connections to the cluster, which the edge worker cannot open with fetch';

/** The error to answer an upgrade request with; undefined for a plain request (the app serves it). */
export async function upgradeRefusal(request: Request, admit: Admit): Promise<StatusError | undefined> {
  if (request.headers.get('upgrade') === null) return undefined;
  const header = (name: string) => request.headers.get(name) ?? undefined;
  const admitted = await admit({
    method: request.method,
    path: new URL(request.url).pathname,
    upgrade: true,
    host: header('host'),
    origin: header('origin'),
    fetchSite: header('sec-fetch-site'),
    authorization: header('authorization'),
    cookie: header('cookie'),
  });
  return admitted instanceof StatusError ? admitted : new StatusError('NotImplemented', NO_UPGRADES);
}
