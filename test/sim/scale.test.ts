/**
 * startSim with a size: the generated cluster is served like the demo one — lists page through every
 * object in key order and selectors use the indexed fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { startSim, type SimCluster } from '../../lib/sim';

let sim: SimCluster;
let agent: Agent;

beforeAll(async () => {
  sim = await startSim({ nodes: 100, podsPerNode: 30, namespaces: 5 });
  agent = new Agent({ connect: { ca: sim.caPem } });
});

afterAll(async () => {
  await agent?.close();
  await sim?.close();
});

async function getJson(path: string): Promise<any> {
  // any: loosely typed list bodies
  const res = await request(`${sim.url}${path}`, {
    headers: { authorization: `Bearer ${sim.token}` },
    dispatcher: agent,
  });
  expect(res.statusCode).toBe(200);
  return res.body.json();
}

describe('a generated cluster', () => {
  it('holds the requested size, with the CRD beside it', () => {
    expect(sim.store.count('nodes')).toBe(100);
    expect(sim.store.count('pods')).toBeGreaterThanOrEqual(2900);
    expect(sim.store.get('customresourcedefinitions', undefined, 'crontabs.stable.example.com')).toBeDefined();
  });

  it('pages through every pod in key order with limit/continue', async () => {
    const seen: string[] = [];
    let token = '';
    do {
      const page = await getJson(`/api/v1/pods?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      seen.push(
        ...page.items.map(
          (p: { metadata: { namespace: string; name: string } }) => `${p.metadata.namespace}/${p.metadata.name}`,
        ),
      );
      token = page.metadata.continue ?? '';
    } while (token);
    expect(seen).toHaveLength(sim.store.count('pods'));
    expect(seen).toEqual([...seen].sort());
  });

  it('selects the pods of one node through the indexed spec.nodeName field', async () => {
    const node = (await getJson('/api/v1/nodes?limit=1')).items[0].metadata.name as string;
    const pods = await getJson(`/api/v1/pods?fieldSelector=spec.nodeName%3D${node}`);
    expect(pods.items.length).toBeGreaterThan(0);
    expect(pods.items.every((p: { spec: { nodeName: string } }) => p.spec.nodeName === node)).toBe(true);
    const total = sim.store.list('pods').filter((p) => (p.spec as { nodeName?: string }).nodeName === node).length;
    expect(pods.items).toHaveLength(total);
  });
});
