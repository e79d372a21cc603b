/**
 * The parts of undici kore-board uses, imported file by file. undici's index also loads fetch, WebSocket, its caches
 * and its mocks, and evaluating them was ≈ 60 ms of every start (docs/shipping.md). The files carry no type
 * declarations; undici-files.d.ts gives them undici's own.
 */
import type { Dispatcher as DispatcherType } from 'undici';
import api from 'undici/lib/api/index.js';
import Agent from 'undici/lib/dispatcher/agent.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import Pool from 'undici/lib/dispatcher/pool.js';
import ProxyAgent from 'undici/lib/dispatcher/proxy-agent.js';
import Socks5ProxyAgent from 'undici/lib/dispatcher/socks5-proxy-agent.js';

// What undici's index does so that every dispatcher has request(), stream(), upgrade()…
Object.assign(Dispatcher.prototype, api);

export { Agent, Dispatcher, Pool, ProxyAgent, Socks5ProxyAgent };

export type RequestOptions = Omit<DispatcherType.RequestOptions, 'origin' | 'path'> & { dispatcher: DispatcherType };

/** undici's `request(url, options)` for a given dispatcher: the URL split into the origin and path it dispatches. */
export function request(
  url: string | URL,
  { dispatcher, ...options }: RequestOptions,
): Promise<DispatcherType.ResponseData> {
  const { origin, pathname, search } = new URL(url);
  return dispatcher.request({ ...options, origin, path: `${pathname}${search}` });
}
