/**
 * `--ui-dir`: a built single-page app (the Kore Board UI's `nuxt generate` output, or any other) served at `/` on
 * kore-board's own origin, so the UI and the API share cookies and need no CORS. Files are read by
 * @hono/node-server's serveStatic (content types, `..` and encoded-dot refusal, directory → index.html, HEAD,
 * ranges, precompressed `.br`/`.gz` siblings); around it, what a single-page app needs and serveStatic does not do.
 */
import { isApiPath } from '../admission';
import { errorMessage } from '../errors';
import { realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type Context, type Env } from 'hono';

/** A year, immutable: only for files whose names change with their content. */
const HASHED_CACHE = 'public, max-age=31536000, immutable';
/** Everything else is revalidated, so a new build is seen at the next load. */
const UNHASHED_CACHE = 'no-cache';

/** Compress on the fly only what shrinks and is worth the CPU. */
const COMPRESSIBLE = /^(text\/|application\/(javascript|json|xml|manifest\+json|wasm)|image\/svg\+xml)/;
const MIN_COMPRESS_BYTES = 1024;

export class UiDirError extends Error {
  override readonly name = 'UiDirError';
}

/** True when a file name carries a content hash: `entry.B4X2kLq9.js`, `index-DiwrgTda.css` (Vite), `f1e2d3c.js` (Nuxt 2). */
export function isContentHashed(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (/^[0-9a-f]{7,}\.[a-z0-9]+$/.test(name) && /[0-9]/.test(name)) return true;
  const m = /[.-]([A-Za-z0-9_]{8,})\.[A-Za-z0-9]+$/.exec(name);
  return m !== null && /[0-9A-Z]/.test(m[1]!);
}

/** The encoding to compress with, from Accept-Encoding (brotli first; `q=0` refuses). */
export function pickEncoding(accept: string | undefined): 'br' | 'gzip' | undefined {
  if (accept === undefined) return undefined;
  const q = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const weight = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find((m) => m !== null);
    q.set(name.trim(), weight ? Number(weight[1]) : 1);
  }
  const allowed = (enc: string) => (q.get(enc) ?? q.get('*') ?? 0) > 0;
  if (allowed('br')) return 'br';
  if (allowed('gzip')) return 'gzip';
  return undefined;
}

/** Brotli at quality 5: near gzip -9's speed, a smaller result; a UI's assets are compressed once per load. */
function compress(res: Response, encoding: 'br' | 'gzip'): Response {
  const zip =
    encoding === 'br'
      ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
      : createGzip({ level: 6 });
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>).pipe(zip);
  const headers = new Headers(res.headers);
  headers.delete('Content-Length');
  headers.set('Content-Encoding', encoding);
  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, { status: res.status, headers });
}

/** Sets caching and Vary on a served file, and compresses it when it is worth it and not already compressed. */
function finish(c: Context, path: string): void {
  c.header('Cache-Control', isContentHashed(path) ? HASHED_CACHE : UNHASHED_CACHE);
  c.header('X-Content-Type-Options', 'nosniff');
  // The UI acts with the user's cookie: no other site may frame it and steer the clicks (clickjacking).
  c.header('Content-Security-Policy', "frame-ancestors 'none'");
  c.header('X-Frame-Options', 'DENY');
  const type = c.res.headers.get('Content-Type') ?? '';
  if (!COMPRESSIBLE.test(type)) return;
  c.header('Vary', 'Accept-Encoding', { append: true });
  if (c.req.method !== 'GET' || c.res.status !== 200 || c.res.headers.has('Content-Encoding')) return;
  if (Number(c.res.headers.get('Content-Length') ?? 0) < MIN_COMPRESS_BYTES || c.res.body === null) return;
  const encoding = pickEncoding(c.req.header('Accept-Encoding'));
  if (encoding === undefined) return;
  const plain = c.res;
  // Assigning over a response copies its headers onto the new one, the plain Content-Length too: clear it first.
  c.res = undefined;
  c.res = compress(plain, encoding);
}

/** The folder's real path; throws UiDirError when it is not a built app (no folder, or no index.html in it). */
export function builtAppRoot(dir: string): string {
  try {
    const root = realpathSync(dir);
    if (!statSync(join(root, 'index.html')).isFile()) throw new Error('index.html is not a file');
    return root;
  } catch (err) {
    throw new UiDirError(`--ui-dir ${dir}: not a built app (${errorMessage(err)})`);
  }
}

/**
 * The UI's routes: files of `dir`, and `index.html` for any other path that is neither the API's nor names a file
 * (a client-side route such as `/contexts/prod/pods`). Throws UiDirError when `dir` has no index.html.
 */
export function uiFiles(dir: string): Hono {
  const root = builtAppRoot(dir);
  // A link inside the folder may point anywhere; what it resolves to must still be inside.
  const inside = (path: string): boolean => {
    try {
      const real = realpathSync(path);
      return real === root || real.startsWith(root + sep);
    } catch {
      return true; // absent: serveStatic finds nothing either
    }
  };
  // serveStatic names the file it found before its response is in place; finish() needs both.
  const found = new WeakMap<Context, string>();
  const files = (options: { path?: string; precompressed?: boolean }) =>
    serveStatic<Env>({ root, ...options, onFound: (file, c) => void found.set(c, file) });
  const app = new Hono();
  const guard = async (c: Context<Env, string>, next: () => Promise<void>) => {
    const path = decodedPath(c.req.path);
    if (isApiPath(c.req.path) || path === undefined || !inside(join(root, path))) return c.notFound();
    await next();
    const file = found.get(c);
    if (file !== undefined) finish(c, file);
  };
  const spaFallback = async (c: Context<Env, string>, next: () => Promise<void>) => {
    // A miss whose last segment names a file (`/_nuxt/gone.js`) is a 404, not the app's HTML.
    if (/\.[A-Za-z0-9]+$/.test(c.req.path)) return c.notFound();
    return files({ path: 'index.html' })(c, next);
  };
  app.on(['GET', 'HEAD'], '*', guard, files({ precompressed: true }), spaFallback);
  return app;
}

/** The request path decoded, or undefined when it tries to leave the folder (`..`, backslashes, NUL). */
function decodedPath(path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (/(^|\/)\.\.(\/|$)|\\|\0/.test(decoded)) return undefined;
  return decoded;
}
