/** How deep JSON may nest, in what we accept and in what we take from the cluster: no HyperCore record needs more. */
export const MAX_JSON_DEPTH = 400

/**
 * How deep a JSON value nests (the walk stops once past `maxDepth`) and how many nodes it has, walked without
 * recursion, so a value nested 20,000 levels deep is measured rather than overflowing the stack.
 */
export function measureJson (value: unknown, maxDepth = Number.POSITIVE_INFINITY): { depth: number, nodes: number } {
  let depth = 0
  let nodes = 0
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0 && depth <= maxDepth) {
    const [node, level] = stack.pop() as [unknown, number]
    nodes++
    if (level > depth) depth = level
    if (node !== null && typeof node === 'object') {
      for (const child of Array.isArray(node) ? node : Object.values(node)) {
        if (child !== null && typeof child === 'object') stack.push([child, level + 1])
        else nodes++
      }
    }
  }
  return { depth, nodes }
}
