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

/**
 * Whether a parsed JSON value nests deeper than `maxDepth` (the value itself is level 1). It allocates nothing and
 * recurses at most `maxDepth + 1` frames, so it is cheap on a large answer and safe on a deep one.
 */
export function nestsDeeperThan (value: unknown, maxDepth: number): boolean {
  return deeper(value, 1, maxDepth)
}

function deeper (node: unknown, level: number, maxDepth: number): boolean {
  if (node === null || typeof node !== 'object') return false
  if (level > maxDepth) return true
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i]
      if (child !== null && typeof child === 'object' && deeper(child, level + 1, maxDepth)) return true
    }
    return false
  }
  const record = node as Record<string, unknown>
  for (const key in record) {
    const child = record[key]
    if (child !== null && typeof child === 'object' && deeper(child, level + 1, maxDepth)) return true
  }
  return false
}

/**
 * How deep the JSON in `text` nests, read from its brackets without parsing (the count stops once past `maxDepth`),
 * so JSON text can be held to the same depth bound as a value before `JSON.parse` builds it.
 */
export function jsonTextDepth (text: string, maxDepth = Number.POSITIVE_INFINITY): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // a backslash: the next character is escaped
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) {
        deepest = depth
        if (deepest > maxDepth) return deepest
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
  return deepest
}
