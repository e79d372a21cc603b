/**
 * The simulated API server's proxy subresource: what a test registered as a pod's answer comes back as
 * registered (status, headers, body) for any method; any other proxy path is a 404 Status; the rest of the
 * API is untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { startSim, type SimCluster } from '../../lib/sim';

let sim: SimCluster;
let agent: Agent;

beforeAll(async () => {
  sim = await startSim();
  agent = new Agent({ connect: { ca: sim.caPem } });
});

afterAll(async () => {
  await agent.close();
  await sim.close();
});

async function call(method: string, path: string, authorized = true) {
  const res = await request(`${sim.url}${path}`, {
    method: method as 'GET',
    dispatcher: agent,
    headers: authorized ? { authorization: `Bearer ${sim.token}` } : {},
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

const SERVICE = '/api/v1/namespaces/default/services/web:80/proxy';

describe('proxy subresource', () => {
  it("answers a registered path with the pod's own status, headers and body, whatever the method", async () => {
    sim.answerProxy(`${SERVICE}/`, {
      status: 418,
      headers: { 'content-type': 'text/html', 'set-cookie': ['a=1', 'b=2'], 'access-control-allow-origin': '*' },
      body: '<p>pod</p>',
    });
    for (const method of ['GET', 'POST', 'DELETE']) {
      const r = await call(method, `${SERVICE}/?q=1`);
      expect(r.status).toBe(418);
      expect(r.headers['content-type']).toBe('text/html');
      expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(r.headers['access-control-allow-origin']).toBe('*');
      expect(r.text).toBe('<p>pod</p>');
    }
  });

  it('answers pods/NAME/proxy paths too, and keeps a path with and without its trailing slash apart', async () => {
    sim.answerProxy('/api/v1/namespaces/default/pods/web-0/proxy/metrics', {
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'up 1\n',
    });
    expect((await call('GET', '/api/v1/namespaces/default/pods/web-0/proxy/metrics')).text).toBe('up 1\n');
    expect((await call('GET', '/api/v1/namespaces/default/pods/web-0/proxy/metrics/')).status).toBe(404);
  });

  it('answers any other proxy path with a 404 Status, and asks for credentials first', async () => {
    const missing = await call('GET', `${SERVICE}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
    expect((await call('GET', `${SERVICE}/`, false)).status).toBe(401);
  });

  it('registers proxy paths only', () => {
    expect(() =>
      sim.answerProxy('/api/v1/namespaces/default/services/web', { status: 200, headers: {}, body: '' }),
    ).toThrow(/not a services\/NAME\/proxy/);
  });

  it('leaves the objects themselves to the API', async () => {
    const r = await call('GET', '/api/v1/namespaces/default/services');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ kind: 'ServiceList' });
  });
});
