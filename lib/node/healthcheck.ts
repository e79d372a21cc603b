/**
 * `kore-board healthcheck [URL]`: asks a running kore-board's `/healthz` and exits 0 on a 200, 1 otherwise. For
 * container health checks in an image that has no shell and no curl (the Dockerfile's HEALTHCHECK).
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { errorMessage } from '../errors';

export const DEFAULT_HEALTHZ_URL = 'http://127.0.0.1:3001/healthz';
const TIMEOUT_MS = 3_000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function statusOf(url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const answered = (res: IncomingMessage) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    };
    // Over HTTPS on loopback the certificate is not checked: it is this host's own kore-board, whose certificate
    // names the host's public name (or is self-signed), not 127.0.0.1. Any other address is verified as usual.
    const req =
      url.protocol === 'https:'
        ? httpsGet(url, { rejectUnauthorized: !LOOPBACK.has(url.hostname), timeout: TIMEOUT_MS }, answered)
        : httpGet(url, { timeout: TIMEOUT_MS }, answered);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}

/** The exit code, after one line on stderr when unhealthy. */
export async function healthcheck(url: string): Promise<number> {
  try {
    const status = await statusOf(new URL(url));
    if (status === 200) return 0;
    process.stderr.write(`kore-board healthcheck: ${url} answered ${status}\n`);
  } catch (err) {
    process.stderr.write(`kore-board healthcheck: ${url}: ${errorMessage(err)}\n`);
  }
  return 1;
}
