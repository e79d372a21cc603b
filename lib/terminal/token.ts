/**
 * Terminal tokens: a JWT (HS256) that names one terminal target, lives 60 s and opens one session. Stateless, so a
 * token minted by one replica (sharing `--terminal-secret`) opens a session on another; the single use is the
 * `JtiLedger`'s. No credential is ever inside: the claims only name what to open, the server supplies the rest.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import * as v from 'valibot';
import type { Clock } from '../clock';
import type { JtiLedger, TerminalTarget, TermType } from './types';

export const TOKEN_AUDIENCE = 'kore-board/terminal';
export const TOKEN_LIFETIME_S = 60;
const ALGORITHM = 'HS256';

/** Which check refused a token. */
export type TokenRefusal =
  'malformed' | 'algorithm' | 'signature' | 'expired' | 'audience' | 'claims' | 'target' | 'replayed';

export type TokenCheck = { ok: true; target: TerminalTarget } | { ok: false; refused: TokenRefusal; message: string };

/**
 * What the client says it is opening (the first frame's `Arguments`): each field given must match the token's.
 * `user`, when the key is present (the websocket's own sign-in puts it there), must match even when undefined.
 */
export type TargetExpectation = Partial<Omit<TerminalTarget, 'termtype'>>;

export interface TerminalTokens {
  mint(target: TerminalTarget): Promise<string>;
  /** Checks signature, algorithm, audience, expiry, claims and `expect`, then claims the jti: a token passes once. */
  verify(token: string, expect?: TargetExpectation): Promise<TokenCheck>;
}

const Name = v.pipe(v.string(), v.minLength(1));
const ClaimsSchema = v.object({
  jti: Name,
  exp: v.number(),
  cluster: Name,
  termtype: v.picklist(['cluster', 'pod', 'container'] satisfies TermType[]),
  namespace: v.optional(Name),
  pod: v.optional(Name),
  container: v.optional(Name),
  user: v.optional(Name),
});
type Claims = v.InferOutput<typeof ClaimsSchema>;

/** The fields each termtype carries: exactly these, so a pod token cannot be read as a container token. */
function fitsTermtype(c: Claims): boolean {
  const has = [c.namespace, c.pod, c.container].map((x) => x !== undefined);
  const expected = { cluster: [false, false, false], pod: [true, true, false], container: [true, true, true] }[
    c.termtype
  ];
  return has.every((h, i) => h === expected[i]);
}

function targetOf(c: Claims): TerminalTarget {
  const { cluster, termtype, namespace, pod, container, user } = c;
  return { cluster, termtype, namespace, pod, container, ...(user === undefined ? {} : { user }) };
}

function refusal(err: unknown): { refused: TokenRefusal; message: string } | undefined {
  if (err instanceof errors.JWTExpired) return { refused: 'expired', message: 'the token has expired' };
  if (err instanceof errors.JWTClaimValidationFailed)
    return err.claim === 'aud'
      ? { refused: 'audience', message: 'the token is not for the terminal' }
      : { refused: 'claims', message: `the token's "${err.claim}" claim is missing or invalid` };
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported)
    return { refused: 'algorithm', message: `the token is not signed with ${ALGORITHM}` };
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return { refused: 'signature', message: 'the token signature does not verify' };
  if (err instanceof errors.JOSEError) return { refused: 'malformed', message: 'the token is not a valid JWT' };
  return undefined;
}

function mismatch(target: TerminalTarget, expect: TargetExpectation): string | undefined {
  if ('user' in expect && expect.user !== target.user) return "another user's terminal token";
  for (const key of ['cluster', 'namespace', 'pod', 'container'] as const) {
    const wanted = expect[key];
    if (wanted !== undefined && wanted !== target[key]) return `the token is for another ${key}`;
  }
  return undefined;
}

export function terminalTokens(options: { secret: Uint8Array; clock: Clock; ledger: JtiLedger }): TerminalTokens {
  const { secret, clock, ledger } = options;
  return {
    async mint(target) {
      const iat = Math.floor(clock.now() / 1000);
      const { cluster, termtype, namespace, pod, container, user } = target;
      return new SignJWT({ cluster, termtype, namespace, pod, container, user })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + TOKEN_LIFETIME_S)
        .setJti(crypto.randomUUID())
        .sign(secret);
    },

    async verify(token, expect = {}) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, secret, {
          algorithms: [ALGORITHM],
          audience: TOKEN_AUDIENCE,
          currentDate: new Date(clock.now()),
          requiredClaims: ['exp', 'iat', 'jti'],
        }));
      } catch (err) {
        const refused = refusal(err);
        if (refused === undefined) throw err;
        return { ok: false, ...refused };
      }
      const claims = v.safeParse(ClaimsSchema, payload);
      if (!claims.success || !fitsTermtype(claims.output))
        return { ok: false, refused: 'claims', message: 'the token does not name a terminal target' };
      const target = targetOf(claims.output);
      const wrong = mismatch(target, expect);
      if (wrong !== undefined) return { ok: false, refused: 'target', message: wrong };
      if (!(await ledger.claim(claims.output.jti, claims.output.exp * 1000)))
        return { ok: false, refused: 'replayed', message: 'the token has already been used' };
      return { ok: true, target };
    },
  };
}
