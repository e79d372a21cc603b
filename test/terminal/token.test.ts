import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { memoryJtiLedger } from '../../lib/terminal/jti-ledger';
import { TOKEN_AUDIENCE, terminalTokens, type TerminalTokens } from '../../lib/terminal/token';
import type { TerminalTarget } from '../../lib/terminal/types';
import { fakeClock, type FakeClock } from '../helpers/registry-fixtures';

/**
 * The forgery matrix: every way a token can be wrong is refused, and says which check refused it. Tokens are forged
 * with jose itself (the same library a forger would reach for), against an injected clock.
 */

const SECRET = new TextEncoder().encode('a-terminal-secret-of-at-least-32-chars!');
const POD: TerminalTarget = { cluster: 'sim', termtype: 'pod', namespace: 'default', pod: 'busybox' };

function setup(): { clock: FakeClock; tokens: TerminalTokens } {
  const clock = fakeClock();
  return { clock, tokens: terminalTokens({ secret: SECRET, clock, ledger: memoryJtiLedger(clock) }) };
}

/** A token as ours are, with `change` applied to the claims or header before signing. */
function forge(
  clock: FakeClock,
  claims: Record<string, unknown>,
  {
    alg = 'HS256',
    secret = SECRET,
    audience = TOKEN_AUDIENCE,
  }: { alg?: string; secret?: Uint8Array; audience?: string } = {},
): Promise<string> {
  const iat = Math.floor(clock.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg })
    .setAudience(audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .setJti(crypto.randomUUID())
    .sign(secret);
}

describe('terminal tokens', () => {
  it('carry the target, an audience, a 60 s lifetime and a jti, and no credential', async () => {
    const { clock, tokens } = setup();
    const claims = decodeJwt(await tokens.mint(POD));
    const iat = Math.floor(clock.now() / 1000);
    expect(claims).toEqual({
      cluster: 'sim',
      termtype: 'pod',
      namespace: 'default',
      pod: 'busybox',
      aud: TOKEN_AUDIENCE,
      iat,
      exp: iat + 60,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('open a session once: the second use is refused as replayed', async () => {
    const { tokens } = setup();
    const token = await tokens.mint(POD);
    expect(await tokens.verify(token)).toEqual({ ok: true, target: POD });
    expect(await tokens.verify(token)).toMatchObject({ ok: false, refused: 'replayed' });
  });

  it('refuse an expired token (the injected clock moved past exp)', async () => {
    const { clock, tokens } = setup();
    const token = await tokens.mint(POD);
    clock.advance(60_000);
    expect(await tokens.verify(token)).toMatchObject({ ok: false, refused: 'expired' });
  });

  it('refuse a tampered payload: another pod written into a signed token', async () => {
    const { tokens } = setup();
    const [header, payload, signature] = (await tokens.mint(POD)).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...claims, pod: 'kube-apiserver' })).toString('base64url');
    expect(await tokens.verify(`${header}.${tampered}.${signature}`)).toMatchObject({
      ok: false,
      refused: 'signature',
    });
  });

  it('refuse a token signed with another key', async () => {
    const { clock, tokens } = setup();
    const token = await forge(
      clock,
      { ...POD },
      { secret: new TextEncoder().encode('another-secret-another-secret-xx') },
    );
    expect(await tokens.verify(token)).toMatchObject({ ok: false, refused: 'signature' });
  });

  it('refuse alg "none" and algorithms outside the allow-list, even with the right key', async () => {
    const { clock, tokens } = setup();
    const iat = Math.floor(clock.now() / 1000);
    const unsigned = new UnsecuredJWT({ ...POD })
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .setJti('unsigned')
      .encode();
    expect(await tokens.verify(unsigned)).toMatchObject({ ok: false, refused: 'algorithm' });
    expect(await tokens.verify(await forge(clock, { ...POD }, { alg: 'HS512' }))).toMatchObject({
      ok: false,
      refused: 'algorithm',
    });
  });

  it('refuse a token for another audience', async () => {
    const { clock, tokens } = setup();
    const token = await forge(clock, { ...POD }, { audience: 'kore-board/something-else' });
    expect(await tokens.verify(token)).toMatchObject({ ok: false, refused: 'audience' });
  });

  it('refuse a pod token presented for another pod or a container, and do not spend it doing so', async () => {
    const { tokens } = setup();
    const token = await tokens.mint(POD);
    expect(await tokens.verify(token, { pod: 'alpine-sh' })).toMatchObject({ ok: false, refused: 'target' });
    expect(await tokens.verify(token, { container: 'busybox' })).toMatchObject({ ok: false, refused: 'target' });
    expect(await tokens.verify(token, { namespace: 'shop' })).toMatchObject({ ok: false, refused: 'target' });
    expect(await tokens.verify(token, { cluster: 'other' })).toMatchObject({ ok: false, refused: 'target' });
    expect(await tokens.verify(token, { cluster: 'sim', namespace: 'default', pod: 'busybox' })).toEqual({
      ok: true,
      target: POD,
    });
  });

  it('refuse claims that do not fit their termtype, or miss one', async () => {
    const { clock, tokens } = setup();
    const cases: Record<string, unknown>[] = [
      { ...POD, container: 'busybox' }, // a pod token read as a container token
      { cluster: 'sim', termtype: 'container', namespace: 'default', pod: 'busybox' },
      { cluster: 'sim', termtype: 'cluster', pod: 'busybox' },
      { cluster: 'sim', termtype: 'root-shell' },
      { termtype: 'cluster' },
    ];
    for (const claims of cases)
      expect(await tokens.verify(await forge(clock, claims)), JSON.stringify(claims)).toMatchObject({
        ok: false,
        refused: 'claims',
      });
    const iat = Math.floor(clock.now() / 1000);
    const noJti = await new SignJWT({ ...POD })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(SECRET);
    expect(await tokens.verify(noJti)).toMatchObject({ ok: false, refused: 'claims' });
  });

  it('refuse what is not a JWT at all', async () => {
    const { tokens } = setup();
    for (const junk of ['', 'abc', 'a.b.c', '{"alg":"HS256"}'])
      expect(await tokens.verify(junk), junk).toMatchObject({ ok: false, refused: 'malformed' });
  });
});

describe('the in-process jti ledger', () => {
  it('grants a jti once, refuses one already expired, and forgets entries after their expiry', async () => {
    const clock = fakeClock();
    const ledger = memoryJtiLedger(clock);
    const exp = clock.now() + 60_000;
    expect(await ledger.claim('a', exp)).toBe(true);
    expect(await ledger.claim('a', exp)).toBe(false);
    expect(await ledger.claim('late', clock.now())).toBe(false);
    clock.advance(60_000);
    // Past its expiry the entry is dropped; the token itself is refused as expired before the ledger is asked.
    expect(await ledger.claim('a', clock.now() + 60_000)).toBe(true);
  });
});
