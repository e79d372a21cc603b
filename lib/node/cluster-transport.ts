import { X509Certificate } from 'node:crypto';
import { createSecureContext, DEFAULT_CIPHERS, type SecureContext } from 'node:tls';
import { Dispatcher, Pool, ProxyAgent, Socks5ProxyAgent } from '../kube/undici';
import type { ClientIdentity, ClusterTransport, TransportOptions } from '../clusters/host';
import { errorMessage } from '../errors';

/**
 * undici dispatchers for one context: a pooled one for plain requests and an HTTP/1.1 one for upgrades,
 * both with the context's CA, client certificate, server name and proxy.
 */

export interface TransportSettings {
  /** Negotiate HTTP/2 (ALPN) for plain requests. Upgrades always use HTTP/1.1. */
  allowH2: boolean;
  /** How long connections of a replaced client identity may finish their requests. */
  retireGraceMs: number;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** A CA bundle as kubectl accepts it: at least one PEM certificate, every one of them parseable. */
function checkCaBundle(ca: Uint8Array): void {
  const blocks = Buffer.from(ca).toString('utf8').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error('certificate-authority: no PEM certificate found');
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new Error(`certificate-authority: unreadable certificate (${errorMessage(err)})`);
    }
  }
}

/**
 * Node's default cipher list with TLS 1.3's AES-128-GCM moved to the front, the order Go's client (and
 * so kubectl) offers on AES hardware. Node lists AES-256-GCM first; its four extra rounds were about a
 * quarter of the decryption time while a large list streams through the proxy.
 */
const AES128_FIRST = 'TLS_AES_128_GCM_SHA256';
const CIPHERS = [AES128_FIRST, ...DEFAULT_CIPHERS.split(':').filter((c) => c !== AES128_FIRST)].join(':');

/** One TLS context per identity, built once: each new socket then costs no PEM parsing. */
function secureContextFor(ca: Uint8Array | undefined, identity: ClientIdentity | undefined): SecureContext {
  if (ca !== undefined) checkCaBundle(ca);
  try {
    return createSecureContext({
      ciphers: CIPHERS,
      ...(ca === undefined ? {} : { ca: Buffer.from(ca) }),
      ...(identity === undefined ? {} : { cert: Buffer.from(identity.cert), key: Buffer.from(identity.key) }),
    });
  } catch (err) {
    throw new Error(`client certificate/key: ${errorMessage(err)}`);
  }
}

/**
 * How long an idle cluster connection is kept (undici's default is 4 s). A dashboard polls every few
 * seconds, and every new connection is a TLS handshake with client-certificate checks on both sides.
 * kube-apiserver keeps idle connections 90 s, and load balancers in front of clusters commonly 60 s.
 */
const IDLE_CONNECTION_MS = 30_000;

function buildDispatcher(options: TransportOptions, secureContext: SecureContext, allowH2: boolean): Dispatcher {
  const tls = {
    secureContext,
    rejectUnauthorized: !options.insecure,
    ...(options.servername === undefined ? {} : { servername: options.servername }),
  };
  const proxy = options.proxyUrl;
  // A context has one server: a Pool for its origin, not an Agent that would look the pool up per request.
  if (proxy === undefined)
    return new Pool(options.server.origin, { connect: tls, allowH2, keepAliveTimeout: IDLE_CONNECTION_MS });
  if (proxy.protocol === 'socks5:') {
    // undici reads requestTls for the TLS session inside the tunnel; its typings omit the option.
    return new Socks5ProxyAgent(proxy, { requestTls: tls } as Socks5ProxyAgent.Options);
  }
  return new ProxyAgent({ uri: proxy.href, requestTls: tls, allowH2, keepAliveTimeout: IDLE_CONNECTION_MS });
}

/** Lets a context change client identity without callers having to fetch a new dispatcher. */
class SwitchingDispatcher extends Dispatcher {
  constructor(private target: Dispatcher) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.target.dispatch(options, handler);
  }

  switchTo(next: Dispatcher): Dispatcher {
    const previous = this.target;
    this.target = next;
    return previous;
  }

  get current(): Dispatcher {
    return this.target;
  }

  override close(callback?: () => void): Promise<void> {
    const done = this.target.close();
    if (callback !== undefined) void done.then(callback, callback);
    return done;
  }

  override destroy(): Promise<void> {
    return this.target.destroy();
  }
}

/** Closes gracefully; whatever still runs after graceMs (a watch, a log -f) is cut. */
async function retire(dispatcher: Dispatcher, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), graceMs);
    timer.unref();
  });
  const closed = dispatcher.close().then(() => 'closed' as const);
  const result = await Promise.race([closed, deadline]).catch(() => 'late' as const);
  clearTimeout(timer);
  if (result === 'late') await dispatcher.destroy().catch(() => undefined);
}

export function createTransport(options: TransportOptions, settings: TransportSettings): ClusterTransport {
  const build = (identity: ClientIdentity | undefined) => {
    const context = secureContextFor(options.ca, identity);
    return {
      plain: buildDispatcher(options, context, settings.allowH2),
      upgrade: buildDispatcher(options, context, false),
    };
  };
  const first = build(options.identity);
  const dispatcher = new SwitchingDispatcher(first.plain);
  const upgradeDispatcher = new SwitchingDispatcher(first.upgrade);
  const retiring = new Set<Promise<void>>();
  let closed = false;
  const retireLater = (old: Dispatcher, graceMs: number) => {
    const done = retire(old, graceMs).finally(() => retiring.delete(done));
    retiring.add(done);
  };
  return {
    dispatcher,
    upgradeDispatcher,
    setClientIdentity(identity) {
      // A plugin run that ends after close() must not open agents nobody will close.
      if (closed) return;
      const next = build(identity);
      retireLater(dispatcher.switchTo(next.plain), settings.retireGraceMs);
      retireLater(upgradeDispatcher.switchTo(next.upgrade), settings.retireGraceMs);
    },
    async close(graceMs) {
      closed = true;
      retireLater(dispatcher.current, graceMs);
      retireLater(upgradeDispatcher.current, graceMs);
      await Promise.all([...retiring]);
    },
  };
}
