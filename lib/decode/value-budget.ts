import { overBudget, type DecodeBudget } from './budget';

function describePath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return 'the top level';
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');
}

/**
 * Holds one decoded document to the per-document caps. It walks the value as JSON will see it, so an alias
 * counts as many times as it is used: what the text holds is not what serialising the value produces.
 * Stops at the first cap passed, having visited at most `maxNodes` nodes.
 */
export function checkValueBudget(value: unknown, budget: DecodeBudget, document: number): void {
  let nodes = 0;
  const path: Array<string | number> = [];
  const count = (n: number) => {
    nodes += n;
    if (nodes > budget.maxNodes)
      throw overBudget(`document ${document} holds more than ${budget.maxNodes} nodes (the limit per document)`);
  };
  const visit = (node: unknown, depth: number): void => {
    count(1);
    if (typeof node !== 'object' || node === null) return;
    if (depth === budget.maxDepth)
      throw overBudget(
        `document ${document} nests deeper than ${budget.maxDepth} levels at ${describePath(path)} (the limit)`,
      );
    const child = (step: string | number, item: unknown) => {
      path.push(step);
      visit(item, depth + 1);
      path.pop();
    };
    if (Array.isArray(node)) {
      node.forEach((item, i) => child(i, item));
      return;
    }
    const keys = Object.keys(node);
    if (keys.length > budget.maxKeysPerMap) {
      throw overBudget(
        `document ${document}: the map at ${describePath(path)} has ${keys.length} keys, more than the limit of ${budget.maxKeysPerMap} per map`,
      );
    }
    count(keys.length);
    for (const key of keys) child(key, (node as Record<string, unknown>)[key]);
  };
  visit(value, 0);
}
