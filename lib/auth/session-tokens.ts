/**
 * Session tokens, what `POST /api/auth/login` answers: an access token (15 minutes) and a refresh token (7 days).
 * Token mode: signed JWTs (HS256) naming the owner. User mode: encrypted JWTs (JWE, `dir` + A256GCM) carrying the
 * person's Kubernetes bearer token, so the server keeps no session state and the browser cannot read the token.
 * Each says which of the two it is (`use`), so one is never accepted as the other.
 */
import { EncryptJWT, errors, jwtDecrypt, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import * as v from 'valibot';
import type { Clock } from '../clock';
import { StatusError } from '../errors';
import { OWNER, type Principal } from './principal';
import { sessionKeys, type SessionKeys } from './session-keys';

export type SessionUse = 'access' | 'refresh';
export type SessionMode = 'token' | 'user';

export const ACCESS_LIFETIME_S = 15 * 60;
export const REFRESH_LIFETIME_S = 7 * 24 * 3600;
const LIFETIME_S: Record<SessionUse, number> = { access: ACCESS_LIFETIME_S, refresh: REFRESH_LIFETIME_S };
export const SESSION_AUDIENCE = 'kore-board/session';
/** The owner's name in token mode (what `GET /api/auth/user` says), as the original Kore Board named its one user. */
export const OWNER_NAME = 'admin';
/** Revoked ids kept at most; a flood of sign-outs drops the oldest (soonest to expire anyway) first. */
const MAX_REVOKED = 100_000;

/** The login answer's tokens, under the names the Kore Board UI's "local" strategy reads. */
export interface SessionPair {
  token: string;
  refreshToken: string;
}

export interface Session {
  principal: Principal;
  jti: string;
  expiresAtMs: number;
}

export interface SessionTokens {
  readonly mode: SessionMode;
  issue(principal: Principal): Promise<SessionPair>;
  /** The session a token of `use` stands for, or a 401 saying why not. */
  verify(token: string, use: SessionUse): Promise<Session | StatusError>;
  /** Refuses the session's token from now until it expires (sign-out, a used refresh token). */
  revoke(session: Session): void;
}

const Name = v.pipe(v.string(), v.minLength(1));
const ClaimsSchema = v.object({
  use: v.picklist(['access', 'refresh']),
  sub: Name,
  jti: Name,
  exp: v.number(),
  grp: v.optional(v.array(v.string())),
  tok: v.optional(Name),
});

function principalOf(mode: SessionMode, claims: v.InferOutput<typeof ClaimsSchema>): Principal | undefined {
  if (mode === 'token') return claims.sub === OWNER_NAME && claims.tok === undefined ? OWNER : undefined;
  if (claims.tok === undefined) return undefined;
  return { kind: 'user', username: claims.sub, groups: claims.grp ?? [], bearerToken: claims.tok };
}

function claimsOf(principal: Principal, use: SessionUse): JWTPayload {
  return principal.kind === 'owner'
    ? { use, sub: OWNER_NAME }
    : { use, sub: principal.username, grp: [...principal.groups], tok: principal.bearerToken };
}

/** Why jose refused a token, in words for the 401; undefined for errors that are not about the token. */
function refusal(err: unknown): string | undefined {
  if (err instanceof errors.JWTExpired) return 'the session has expired: sign in again, or refresh it';
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported)
    return 'the session token uses an algorithm this server does not accept';
  if (err instanceof errors.JWTClaimValidationFailed) return `the session token's "${err.claim}" claim is not ours`;
  if (err instanceof errors.JOSEError) return 'the session token is not one this server issued';
  return undefined;
}

export interface SessionTokenOptions {
  mode: SessionMode;
  /** `--session-secret` or the data dir's: every process that shares it accepts the others' sessions. */
  secret: Uint8Array;
  clock: Clock;
}

export function createSessionTokens({ mode, secret, clock }: SessionTokenOptions): SessionTokens {
  let keys: Promise<SessionKeys> | undefined;
  const keysNow = () => (keys ??= sessionKeys(secret));
  const revoked = new Map<string, number>();

  const seal = async (principal: Principal, use: SessionUse): Promise<string> => {
    if ((principal.kind === 'owner') !== (mode === 'token'))
      throw new Error(`a ${principal.kind} session cannot be issued in ${mode} mode`);
    const iat = Math.floor(clock.now() / 1000);
    const { signing, encryption } = await keysNow();
    const claims = claimsOf(principal, use);
    const jti = crypto.randomUUID();
    const exp = iat + LIFETIME_S[use];
    if (mode === 'token')
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setAudience(SESSION_AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(jti)
        .sign(signing);
    return new EncryptJWT(claims)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'JWT' })
      .setAudience(SESSION_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .encrypt(encryption);
  };

  const open = async (token: string): Promise<JWTPayload> => {
    const { signing, encryption } = await keysNow();
    const options = {
      audience: SESSION_AUDIENCE,
      currentDate: new Date(clock.now()),
      requiredClaims: ['exp', 'iat', 'jti'],
    };
    if (mode === 'token') return (await jwtVerify(token, signing, { ...options, algorithms: ['HS256'] })).payload;
    const opened = await jwtDecrypt(token, encryption, {
      ...options,
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return opened.payload;
  };

  const prune = () => {
    const now = clock.now();
    for (const [jti, until] of revoked) if (until <= now) revoked.delete(jti);
    for (const jti of revoked.keys()) {
      if (revoked.size < MAX_REVOKED) break;
      revoked.delete(jti);
    }
  };

  return {
    mode,
    issue: async (principal) => ({
      token: await seal(principal, 'access'),
      refreshToken: await seal(principal, 'refresh'),
    }),
    async verify(token, use) {
      let payload: JWTPayload;
      try {
        payload = await open(token);
      } catch (err) {
        const why = refusal(err);
        if (why === undefined) throw err;
        return new StatusError('Unauthorized', why);
      }
      const claims = v.safeParse(ClaimsSchema, payload);
      const principal = claims.success ? principalOf(mode, claims.output) : undefined;
      if (!claims.success || principal === undefined)
        return new StatusError('Unauthorized', 'the session token does not name a session of this server');
      if (claims.output.use !== use)
        return new StatusError('Unauthorized', `a ${claims.output.use} token is not accepted as a ${use} token`);
      if (revoked.has(claims.output.jti)) return new StatusError('Unauthorized', 'the session has been signed out');
      return { principal, jti: claims.output.jti, expiresAtMs: claims.output.exp * 1000 };
    },
    revoke(session) {
      if (revoked.size >= MAX_REVOKED) prune();
      revoked.set(session.jti, session.expiresAtMs);
    },
  };
}
