import type { ClusterConnection } from '../clusters/types';
import { kubeJson, type QueryValue } from './request';

/** One page of a list: raw items (no kind/apiVersion on them, as the API server sends them). */
export interface ListPage {
  items: unknown[];
  /** The resourceVersion of the snapshot every page of this list was read from. */
  resourceVersion: string;
}

export interface ListOptions {
  /** Items per page (`limit`); the API server may send fewer. */
  pageSize?: number;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /** Longest wait for each page's response headers (see kubeRequest). */
  headersTimeoutMs?: number;
}

interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[] | null;
}

/** client-go's default page size: big enough to keep round trips few, small enough to keep memory flat. */
export const DEFAULT_PAGE_SIZE = 500;

/**
 * Reads a collection page by page (`limit` / `continue`). A continue token that expired answers 410 Gone;
 * that error is thrown as is, and the caller starts the list again (the pages it saw belong to an old snapshot).
 */
export async function* listPages(
  conn: ClusterConnection,
  path: string,
  options: ListOptions = {},
): AsyncGenerator<ListPage> {
  let token: string | undefined;
  do {
    const body = await kubeJson<ListBody>(conn, {
      path,
      query: { ...options.query, limit: options.pageSize ?? DEFAULT_PAGE_SIZE, continue: token },
      signal: options.signal,
      headersTimeoutMs: options.headersTimeoutMs,
    });
    token = body.metadata?.continue || undefined;
    yield { items: body.items ?? [], resourceVersion: body.metadata?.resourceVersion ?? '' };
  } while (token !== undefined);
}
