import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type Server as TlsServer } from 'node:tls';
import type { FileWatcher } from '../clusters/host';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import type { TlsFiles } from './cli';
import { watchFiles } from './file-watch';

/**
 * kore-board's own serving certificate (`--tls-cert`, `--tls-key`): read and checked as a pair at start (a bad pair
 * stops the start, with the reason), and read again whenever either file changes, so that a renewed certificate
 * (cert-manager, a Secret mount, certbot) is served to new connections without a restart. A bad new pair is
 * refused and the previous one kept.
 */

export interface TlsPair {
  cert: string;
  key: string;
  /** What the certificate says about itself, for the logs: subject and expiry. */
  summary: { subject: string; validTo: string };
}

/** The files could not be read, or do not make a usable pair; the message says which and why. */
export class TlsFilesError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'TlsFilesError';
  }
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new TlsFilesError(`${what} ${path}: cannot read it: ${errorMessage(err)}`, { cause: err });
  }
}

/** Both files, checked: a PEM certificate, and a private key that belongs to it. */
export async function readTlsPair(files: TlsFiles): Promise<TlsPair> {
  const [cert, key] = await Promise.all([readText(files.certPath, '--tls-cert'), readText(files.keyPath, '--tls-key')]);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new TlsFilesError(`--tls-cert ${files.certPath}: not a PEM certificate: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  try {
    // OpenSSL checks here that the key is readable and is the certificate's (KEY_VALUES_MISMATCH otherwise).
    createSecureContext({ cert, key });
  } catch (err) {
    throw new TlsFilesError(
      `--tls-key ${files.keyPath}: not a private key for --tls-cert ${files.certPath}: ${errorMessage(err)}`,
      { cause: err },
    );
  }
  return { cert, key, summary: { subject: x509.subject.replace(/\n/g, ', '), validTo: x509.validTo } };
}

/** Swaps the server's certificate when either file changes; what each change led to is logged, and told to `onReload`. */
export function reloadTlsOnChange(
  server: TlsServer,
  files: TlsFiles,
  log: Logger,
  onReload?: (outcome: { ok: true; pair: TlsPair } | { ok: false; reason: string }) => void,
): FileWatcher {
  const watcher = watchFiles(
    () => {
      readTlsPair(files).then(
        (pair) => {
          server.setSecureContext({ cert: pair.cert, key: pair.key });
          log.info('TLS certificate reloaded', pair.summary);
          onReload?.({ ok: true, pair });
        },
        (err: unknown) => {
          const reason = errorMessage(err);
          log.warn('TLS files changed but were refused; the previous certificate is still served', { reason });
          onReload?.({ ok: false, reason });
        },
      );
    },
    // A renewal writes two files: wait for the second before reading the pair.
    { debounceMs: 200, log },
  );
  watcher.update([files.certPath, files.keyPath]);
  return watcher;
}
