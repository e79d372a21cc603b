/** Signs in as the Kore Board UI does (`POST /api/auth/login`), for tests that act as a signed-in browser. */
export interface SignedIn {
  /** The login answer's tokens, as the UI's "local" strategy keeps them. */
  token: string;
  refreshToken: string;
  /** A `Cookie` header with the access cookie the answer set, as a browser sends it back. */
  cookie: string;
  /** Every `Set-Cookie` line of the answer. */
  setCookies: string[];
}

export async function signIn(url: string, secret: string, headers: Record<string, string> = {}): Promise<SignedIn> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    body: JSON.stringify({ token: secret }),
    headers: { 'content-type': 'application/json', ...headers },
  });
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const { token, refreshToken } = (await res.json()) as { token: string; refreshToken: string };
  const setCookies = res.headers.getSetCookie();
  return { token, refreshToken, cookie: setCookies[0]?.split(';')[0] ?? '', setCookies };
}
