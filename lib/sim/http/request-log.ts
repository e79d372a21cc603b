/**
 * What reached the simulated cluster, for tests to check who a request was sent as: method, path, the user it was
 * authenticated as, and which credentials it carried. Never a credential's value. Bounded: the oldest entries go.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface SimRequestRecord {
  method: string;
  /** Path and query as received. */
  url: string;
  /** Who the sim took the caller for; undefined when it was refused as anonymous. */
  user: string | undefined;
  /** An `Authorization` header was present. */
  authorization: boolean;
  /** Of it, the scheme only (`Bearer`, `Basic`). */
  authorizationScheme: string | undefined;
  /** A `Cookie` header was present. */
  cookie: boolean;
  /** A client certificate was presented on the connection. */
  clientCertificate: boolean;
  upgrade: boolean;
}

const DEFAULT_CAPACITY = 10_000;

export class RequestLog {
  /** A ring: `next` is where the next entry goes, and once full, the oldest one. */
  private entries: SimRequestRecord[] = [];
  private next = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  record(req: IncomingMessage, user: string | undefined, upgrade: boolean): void {
    const auth = req.headers.authorization;
    const entry: SimRequestRecord = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      user,
      authorization: auth !== undefined,
      authorizationScheme: auth === undefined ? undefined : auth.split(' ', 1)[0],
      cookie: req.headers.cookie !== undefined,
      clientCertificate: this.presentsCertificate(req.socket as TLSSocket),
      upgrade,
    };
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Per connection: a peer certificate is fixed for the connection's life, and reading it builds a large object. */
  private readonly certificates = new WeakMap<TLSSocket, boolean>();

  private presentsCertificate(socket: TLSSocket): boolean {
    let presents = this.certificates.get(socket);
    if (presents === undefined) {
      presents = typeof socket.getPeerCertificate === 'function' && socket.getPeerCertificate().raw !== undefined;
      this.certificates.set(socket, presents);
    }
    return presents;
  }

  /** A copy of what was recorded, oldest first. */
  list(): SimRequestRecord[] {
    if (this.entries.length < this.capacity) return this.entries.slice();
    return [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
  }

  clear(): void {
    this.entries = [];
    this.next = 0;
  }
}
