/**
 * What admission lets through without a sign-in (lib/admission.ts): the probes, the UI's sign-in routes, and — only when a
 * UI is served — reads of non-API paths. Everything else, however its path is spelled, still needs the token.
 */
import { describe, expect, it } from 'vitest';
import { createAdmission, isApiPath, settle, type AdmissionRequest } from '../../lib/admission';
import { StatusError } from '../../lib/errors';

const TOKEN = 'a-token-of-sufficient-length';
const policy = settle({ allowedHosts: [], allowOrigins: [], authToken: TOKEN });

function req(method: string, path: string, extra: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    method,
    path,
    upgrade: false,
    host: '127.0.0.1:3001',
    origin: undefined,
    fetchSite: undefined,
    authorization: undefined,
    cookie: undefined,
    ...extra,
  };
}

async function reasonOf(admit: ReturnType<typeof createAdmission>, r: AdmissionRequest): Promise<string> {
  const admitted = await admit(r);
  return admitted instanceof StatusError ? admitted.reason : 'admitted';
}

describe('without a UI', () => {
  const admit = createAdmission(policy);

  it('opens the probes, GET/POST of /api/auth/login, the refresh and the sign-out only', async () => {
    for (const [method, path] of [
      ['GET', '/healthz'],
      ['GET', '/healthy'],
      ['GET', '/readyz'],
      ['GET', '/api/auth/login'],
      ['HEAD', '/api/auth/login'],
      ['POST', '/api/auth/login'],
      ['POST', '/api/auth/token/refresh'],
      ['GET', '/api/auth/logout'],
    ])
      expect(await reasonOf(admit, req(method!, path!)), `${method} ${path}`).toBe('admitted');
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/index.html'],
      ['GET', '/api/auth/user'],
      ['GET', '/api/auth/token/refresh'],
      ['PUT', '/api/auth/login'],
      ['GET', '/api/auth/login/'],
    ])
      expect(await reasonOf(admit, req(method!, path!)), `${method} ${path}`).toBe('Unauthorized');
  });

  it('keeps the Host check and the origin rule on the sign-in', async () => {
    expect(await reasonOf(admit, req('POST', '/api/auth/login', { host: 'evil.example' }))).toBe('Forbidden');
    expect(await reasonOf(admit, req('POST', '/api/auth/login', { origin: 'http://evil.example' }))).toBe('Forbidden');
    expect(await reasonOf(admit, req('POST', '/api/auth/login', { fetchSite: 'cross-site' }))).toBe('Forbidden');
    expect(await reasonOf(admit, req('POST', '/api/auth/login', { origin: 'http://127.0.0.1:3001' }))).toBe('admitted');
  });
});

describe('with a UI (--ui-dir)', () => {
  const admit = createAdmission(policy, { uiFiles: true });

  it("opens GET and HEAD of the UI's paths", async () => {
    for (const path of ['/', '/index.html', '/_nuxt/entry.B4X2kLq9.js', '/login', '/contexts/x/pods', '/apis', '/rawx'])
      for (const method of ['GET', 'HEAD'])
        expect(await reasonOf(admit, req(method, path)), `${method} ${path}`).toBe('admitted');
  });

  it('keeps the token on writes, upgrades, and every API path however it is spelled', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS'])
      expect(await reasonOf(admit, req(method, '/index.html')), method).toBe('Unauthorized');
    expect(await reasonOf(admit, req('GET', '/socket', { upgrade: true }))).toBe('Unauthorized');
    for (const path of [
      '/api',
      '/api/clusters',
      '/raw/clusters/x/api/v1/pods',
      '/token/x/api/clusters',
      '/API/clusters',
      '//api/clusters',
      '/%61pi/clusters',
      '/api%2Fclusters',
      '/%5Capi/clusters',
      '\\api\\clusters',
    ])
      expect(await reasonOf(admit, req('GET', path)), path).toBe('Unauthorized');
  });

  it('names the API paths the UI never answers', () => {
    expect(['/api', '/raw/x', '/healthz', '/readyz', '/healthy', '/token/t/x'].every(isApiPath)).toBe(true);
    expect(['/', '/apis', '/login', '/_nuxt/a.js', '/healthy.png'].some(isApiPath)).toBe(false);
  });
});
