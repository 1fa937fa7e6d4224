/** A named record offered as a candidate when a name did not resolve to exactly one. */
export interface Candidate {
  name: string
  uuid: string
  /** A few words telling same-named records apart (e.g. the VM's state, a snapshot's VM and time). */
  detail?: string
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment): "wbe01" is one step from "web01", as a
 * person's typo is. Quadratic, which is fine for names of a few dozen characters.
 */
export function editDistance (a: string, b: string): number {
  if (a === b) return 0
  if (a.length === 0) return b.length
  if (b.length === 0) return a.length
  let before: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] as number) + 1)
      current.push(best)
    }
    before = previous
    previous = current
  }
  return previous[b.length] as number
}

// Lower ranks first: the same name but for case, one name starting the other, one inside the other, then the rest.
function rank (query: string, name: string): [number, number] {
  const q = query.toLowerCase()
  const n = name.toLowerCase()
  const tier = n === q ? 0 : n.startsWith(q) || q.startsWith(n) ? 1 : n.includes(q) || q.includes(n) ? 2 : 3
  return [tier, editDistance(q, n)]
}

/**
 * The candidates closest to what was asked for, closest first: same name ignoring case, then names that start with
 * or contain it (or that it contains), then by edit distance; ties by name. A small hand-written ranking: the catalog's
 * search engine ranks API operations by meaning, which says nothing about how close "web-1" is to "web01".
 */
export function closestNames<T extends { name: string }> (query: string, records: readonly T[], limit = 5): T[] {
  return records
    .map((record) => ({ record, key: rank(query, record.name) }))
    .sort((x, y) => x.key[0] - y.key[0] || x.key[1] - y.key[1] || x.record.name.localeCompare(y.record.name))
    .slice(0, limit)
    .map((x) => x.record)
}
