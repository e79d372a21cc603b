import { byName, hierarchyNode, type Hierarchy, type HierarchyNode } from './hierarchy';
import { selects } from './network';
import type { ObjectRef, SlimPod } from './slim';
import { WORKLOAD_KINDS, type ClusterState, type WorkloadKind } from './state';

/** An object the pod reads, as the caller found it: its uid, absent, or not known (not readable). */
export interface ReferencedObject {
  kind: 'ServiceAccount' | ObjectRef['kind'];
  name: string;
  found: { uid: string } | 'missing' | 'unknown';
}

const isWorkloadKind = (kind: string): kind is WorkloadKind => kind in WORKLOAD_KINDS;

/**
 * One pod and what it hangs on, rooted at the pod (every other node names the pod, or the next link of
 * the owner chain, as `owner`): its owners up to the top (ReplicaSet → Deployment, Job → CronJob,
 * StatefulSet, DaemonSet, or whatever else owns it), its ServiceAccount, the Services that select it, and
 * the ConfigMaps, Secrets and PersistentVolumeClaims it reads — those that do not exist say so in `line`.
 */
export function podGraph(state: ClusterState, pod: SlimPod, referenced: readonly ReferencedObject[]): Hierarchy {
  const ns = pod.namespace;
  const nodes: HierarchyNode[] = [hierarchyNode('Pod', pod)];

  let child = pod.uid;
  let ref = pod.owner;
  const visited = new Set<string>([pod.uid]);
  while (ref !== undefined && !visited.has(ref.uid)) {
    visited.add(ref.uid);
    const owner = isWorkloadKind(ref.kind) ? state.workload(ref.kind).get(ns, ref.uid) : undefined;
    if (owner === undefined) {
      // An owner the views do not follow (a Node for static pods, a custom controller): shown, not climbed.
      nodes.push({
        uid: ref.uid,
        name: ref.name,
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        namespace: ref.kind === 'Node' ? '' : ns,
        line: '',
        owner: child,
      });
      break;
    }
    nodes.push(hierarchyNode(ref.kind, owner, child));
    child = owner.uid;
    ref = owner.owner;
  }

  for (const svc of byName(state.services.inNamespace(ns)))
    if (selects(svc.selector, pod.labels)) nodes.push(hierarchyNode('Service', svc, pod.uid));

  for (const obj of referenced) {
    const uid = typeof obj.found === 'object' ? obj.found.uid : `${obj.kind}/${ns}/${obj.name}`;
    nodes.push(
      hierarchyNode(
        obj.kind,
        { uid, name: obj.name, namespace: ns },
        pod.uid,
        obj.found === 'missing' ? 'not found' : '',
      ),
    );
  }
  return { [ns]: nodes };
}

export type Reference = Omit<ReferencedObject, 'found'>;

/** What a pod reads, in the order the graph shows them: its ServiceAccount first. */
export function podReferences(pod: SlimPod): Reference[] {
  const refs: Reference[] = [];
  if (pod.serviceAccount !== '') refs.push({ kind: 'ServiceAccount', name: pod.serviceAccount });
  refs.push(...pod.refs);
  return refs;
}
