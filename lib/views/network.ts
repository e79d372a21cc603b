import { byName, graphNamespaces, hierarchyNode, type Hierarchy, type HierarchyNode } from './hierarchy';
import type { IngressRoute, Labels, SlimIngress, SlimPod } from './slim';
import type { ClusterState } from './state';

/** Service selector semantics: every selector label present with the same value; no selector selects nothing. */
export function selects(selector: Labels | undefined, labels: Labels): boolean {
  if (selector === undefined) return false;
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  return true;
}

/** How a route reads on the graph: `host/path`, `*` for any host, `(default backend)` for the fallback. */
export function routeLabel(route: IngressRoute): string {
  if (route.fallback) return '(default backend)';
  return `${route.host === '' ? '*' : route.host}${route.path === '' ? '/' : route.path}`;
}

/**
 * The network graph: per namespace, Ingresses → the Services their rules send to (labelled with host/path)
 * → the Pods each Service selects (labelled with the pod IP). A Service reached through two ingresses
 * appears under each; a Service no ingress reaches is a root; a Service without selector has no pods.
 * Pods no Service selects are not shown.
 */
export function networkGraph(state: ClusterState, namespace?: string): Hierarchy {
  const graph: Hierarchy = {};
  for (const ns of graphNamespaces(state, namespace, [state.services, state.ingresses])) {
    const nodes: HierarchyNode[] = [];
    const ingresses = byName(state.ingresses.inNamespace(ns));
    const services = byName(state.services.inNamespace(ns));
    const pods: SlimPod[] = services.some((s) => s.selector !== undefined) ? byName(state.pods.inNamespace(ns)) : [];
    for (const ing of ingresses) nodes.push(hierarchyNode('Ingress', ing));
    for (const svc of services) {
      const routedBy = ingresses
        .map((ing): [SlimIngress, IngressRoute[]] => [ing, ing.routes.filter((r) => r.service === svc.name)])
        .filter(([, routes]) => routes.length > 0);
      if (routedBy.length === 0) nodes.push(hierarchyNode('Service', svc));
      for (const [ing, routes] of routedBy)
        nodes.push(hierarchyNode('Service', svc, ing.uid, routes.map(routeLabel).join(', ')));
    }
    for (const svc of services) {
      for (const pod of pods)
        if (selects(svc.selector, pod.labels)) nodes.push(hierarchyNode('Pod', pod, svc.uid, pod.podIP));
    }
    graph[ns] = nodes;
  }
  return graph;
}
