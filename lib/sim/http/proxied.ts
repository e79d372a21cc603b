/**
 * The proxy subresource (`services/NAME[:PORT]/proxy/...`, `pods/NAME[:PORT]/proxy/...`): a real API server
 * relays the request to a pod and the pod's answer back, headers and all. The sim runs no pods, so a test
 * registers what the pod answers at a path; every other proxy path is 404.
 */
import type { ServerResponse } from 'node:http';
import { notFoundStatus, sendStatus } from './io';

export interface ProxiedAnswer {
  status: number;
  /** Written as given: a pod's own headers (Set-Cookie, CORS, CSP…) are what such a test is about. */
  headers: Readonly<Record<string, string | string[]>>;
  body: string;
}

const PROXY_PATH = /^\/api\/v1\/namespaces\/[^/]+\/(?:services|pods)\/[^/]+\/proxy(?:\/|$)/;

export class ProxiedAnswers {
  private readonly answers = new Map<string, ProxiedAnswer>();

  /** `path` is the whole API path, e.g. `/api/v1/namespaces/default/services/web:80/proxy/`. */
  set(path: string, answer: ProxiedAnswer): void {
    if (!PROXY_PATH.test(path)) throw new Error(`${path} is not a services/NAME/proxy or pods/NAME/proxy path`);
    this.answers.set(path, answer);
  }

  /** Answers `path` (query excluded) when it addresses a proxy subresource; false otherwise. */
  serve(path: string, res: ServerResponse): boolean {
    if (!PROXY_PATH.test(path)) return false;
    const answer = this.answers.get(path);
    if (answer === undefined) {
      sendStatus(res, notFoundStatus());
      return true;
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
    res.end(answer.body);
    return true;
  }
}
