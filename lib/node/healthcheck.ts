/**
 * `kore-board healthcheck [URL]`: asks a running kore-board's `/healthz` and exits 0 on a 200, 1 otherwise. For
 * container health checks in an image that has no shell and no curl (the Dockerfile's HEALTHCHECK).
 */
import { errorMessage } from '../errors';

export const DEFAULT_HEALTHZ_URL = 'http://127.0.0.1:3001/healthz';
const TIMEOUT_MS = 3_000;

/** The exit code, after one line on stderr when unhealthy. */
export async function healthcheck(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.status === 200) return 0;
    process.stderr.write(`kore-board healthcheck: ${url} answered ${res.status}\n`);
  } catch (err) {
    process.stderr.write(`kore-board healthcheck: ${url}: ${errorMessage(err)}\n`);
  }
  return 1;
}
