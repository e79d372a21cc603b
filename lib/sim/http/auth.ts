/**
 * Who a request comes from: a client certificate signed by the sim's CA (user = CN, groups = O), or a
 * bearer token the sim issued or was given. Anything else is anonymous, which the sim refuses (401).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface UserInfo {
  username: string;
  groups: string[];
}

/** The identity of the tokens tests and kubeconfigs use: the same as the admin client certificate. */
export const ADMIN_USER: UserInfo = {
  username: 'kubernetes-admin',
  groups: ['system:masters', 'system:authenticated'],
};

function certificateUser(socket: TLSSocket): UserInfo | undefined {
  // `authorized` alone is not enough: on a resumed TLS session without a client certificate Node reports it
  // true (nothing failed verification), so a certificate must actually be present.
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (cert.raw === undefined) return undefined;
  const subject = cert.subject as unknown as Record<string, string | string[] | undefined>;
  const orgs = subject.O === undefined ? [] : Array.isArray(subject.O) ? subject.O : [subject.O];
  return { username: String(subject.CN ?? ''), groups: [...orgs, 'system:authenticated'] };
}

export class Authenticator {
  private readonly tokens = new Map<string, UserInfo>();

  addToken(token: string, user: UserInfo = ADMIN_USER): void {
    this.tokens.set(token, user);
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** The user a token stands for, if the sim accepts it. */
  userOf(token: string): UserInfo | undefined {
    return this.tokens.get(token);
  }

  authenticate(req: IncomingMessage): UserInfo | undefined {
    const fromCert = certificateUser(req.socket as TLSSocket);
    if (fromCert !== undefined) return fromCert;
    const header = req.headers.authorization;
    if (header === undefined || !/^bearer /i.test(header)) return undefined;
    return this.userOf(header.slice(7).trim());
  }
}
