/**
 * The keys of session tokens, derived from the one session secret (HKDF-SHA-256, WebCrypto, so the edge worker
 * derives them too): one to sign token mode's JWTs, another to encrypt user mode's JWEs. A key is never used for
 * both, and a token of one mode cannot be read as the other's.
 */
export interface SessionKeys {
  /** HS256 key of token mode's access and refresh JWTs. */
  signing: Uint8Array;
  /** `dir` + A256GCM key of user mode's JWEs. */
  encryption: Uint8Array;
}

async function derive(secret: Uint8Array, purpose: string): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey('raw', new Uint8Array(secret), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(purpose) },
    base,
    256,
  );
  return new Uint8Array(bits);
}

export async function sessionKeys(secret: Uint8Array): Promise<SessionKeys> {
  const [signing, encryption] = await Promise.all([
    derive(secret, 'kore-board session jws'),
    derive(secret, 'kore-board session jwe'),
  ]);
  return { signing, encryption };
}
