/**
 * One JSON request to a cluster, as apply and discovery need it. Injected, so this logic does not depend on
 * a transport; the app gives it one bound to a context's connection.
 */
export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API path with no query, e.g. `/api/v1/namespaces/default/pods`. */
  path: string;
  query?: Record<string, string>;
  body?: string;
  contentType?: string;
  accept?: string;
}

/** A KubeCall's answer, failures included: the HTTP status and the body parsed as JSON. */
export interface KubeJsonResponse {
  status: number;
  /** Parsed JSON body (a Status on failure), or undefined when the body was empty or not JSON. */
  body: unknown;
}

export type KubeCall = (request: KubeRequest) => Promise<KubeJsonResponse>;
