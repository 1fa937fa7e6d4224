/** A named record offered as a candidate when a name did not resolve to exactly one. */
export interface Candidate {
  name: string
  uuid: string
  /** A few words telling same-named records apart (e.g. the VM's state, a snapshot's VM and time). */
  detail?: string
}

/** Characters of each name the ranking reads: names that only differ after them rank as the same name. */
export const COMPARED_CHARS = 64

/** The largest edit distance that still counts as close; farther names come after the close ones, by name. */
export const MAX_CLOSE_DISTANCE = 8

/**
 * Distance-table cells one ranking may compute (a few milliseconds): past it the remaining names count as far, so
 * tens of thousands of long names cannot hold the event loop.
 */
export const RANKING_CELL_BUDGET = 1_000_000

/** Work the name ranking has done in this process: distance-table cells computed and name characters read. */
export const rankingWork = { cells: 0, chars: 0 }

/**
 * Edit distance with adjacent transpositions (optimal string alignment): "wbe01" is one step from "web01", as a
 * person's typo is. With `max`, only a band of the table is computed and the work stops as soon as the distance must
 * exceed it; the answer is then `max + 1`.
 */
export function editDistance (a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0
  const n = a.length
  const m = b.length
  if (Math.abs(n - m) > max) return max + 1
  if (n === 0 || m === 0) return Math.max(n, m)
  const band = Math.min(max, Math.max(n, m))
  // Larger than any real distance: stands for the cells outside the band, which can only be farther than max.
  const far = n + m + 1
  let before = new Int32Array(m + 1).fill(far)
  let previous = new Int32Array(m + 1).fill(far)
  let current = new Int32Array(m + 1).fill(far)
  for (let j = 0; j <= Math.min(m, band); j++) previous[j] = j
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - band)
    const hi = Math.min(m, i + band)
    current[0] = i <= band ? i : far
    if (lo > 1) current[lo - 1] = far
    let rowMin = lo === 1 ? (current[0] as number) : far
    const ai = a.charCodeAt(i - 1)
    const aPrev = i > 1 ? a.charCodeAt(i - 2) : -1
    let left = current[lo - 1] as number
    for (let j = lo; j <= hi; j++) {
      const bj = b.charCodeAt(j - 1)
      let best = (previous[j - 1] as number) + (ai === bj ? 0 : 1)
      const up = (previous[j] as number) + 1
      if (up < best) best = up
      if (left + 1 < best) best = left + 1
      if (j > 1 && ai === b.charCodeAt(j - 2) && aPrev === bj && (before[j - 2] as number) + 1 < best) best = (before[j - 2] as number) + 1
      current[j] = best
      left = best
      if (best < rowMin) rowMin = best
    }
    if (hi < m) current[hi + 1] = far
    rankingWork.cells += hi - lo + 1
    // Row minima never shrink further down the table: once one is past max, so is the distance.
    if (rowMin > max) return max + 1
    const spare = before
    before = previous
    previous = current
    current = spare
  }
  const distance = previous[m] as number
  return distance > max ? max + 1 : distance
}

// What counts as close for a query of this length: a slip or two in a short name, a few more in a long one.
function closeDistance (length: number): number {
  return Math.min(MAX_CLOSE_DISTANCE, Math.max(2, Math.ceil(length / 2)))
}

interface Ranked<T> {
  record: T
  /** 0 the same name but for case, 1 one starts the other, 2 one contains the other, 3 the rest. */
  tier: number
  distance: number
  /** The name as compared and tied by. */
  shown: string
  index: number
}

const collator = new Intl.Collator()

function before<T> (x: Ranked<T>, y: Ranked<T>): boolean {
  return (x.tier - y.tier || x.distance - y.distance || collator.compare(x.shown, y.shown) || x.index - y.index) < 0
}

/**
 * The candidates closest to what was asked for, closest first: same name ignoring case, then names that start with
 * or contain it (or that it contains), then by edit distance; ties by name. A small hand-written ranking: the catalog's
 * search engine ranks API operations by meaning, which says nothing about how close "web-1" is to "web01".
 * Its work is bounded whatever the names: each name is read up to COMPARED_CHARS, distances stop at "not close",
 * only what could still make the list is compared, and all of it within RANKING_CELL_BUDGET.
 */
export function closestNames<T extends { name: string }> (query: string, records: readonly T[], limit = 5): T[] {
  if (limit <= 0) return []
  const q = query.slice(0, COMPARED_CHARS).toLowerCase()
  const close = closeDistance(query.length)
  const notClose = close + 1
  const cellsAtStart = rankingWork.cells
  rankingWork.chars += q.length
  const best: Array<Ranked<T>> = []
  for (let index = 0; index < records.length; index++) {
    const record = records[index] as T
    const shown = record.name.slice(0, COMPARED_CHARS)
    const n = shown.toLowerCase()
    rankingWork.chars += n.length
    const lengthGap = Math.abs(query.length - record.name.length)
    const tier = n === q && lengthGap === 0 ? 0 : n.startsWith(q) || q.startsWith(n) ? 1 : n.includes(q) || q.includes(n) ? 2 : 3
    const worst = best.length === limit ? best[limit - 1] : undefined
    if (worst !== undefined && worst.tier < tier) continue
    // When one name holds the other, the distance is the difference in length: no table needed.
    let distance = lengthGap
    if (tier === 3) {
      const max = worst !== undefined && worst.tier === 3 ? Math.min(worst.distance, close) : close
      // At most this many cells: one row per character of the query, each no wider than the band.
      const cells = q.length * Math.min(2 * max + 1, n.length)
      distance = lengthGap > max || rankingWork.cells - cellsAtStart + cells > RANKING_CELL_BUDGET ? notClose : Math.min(editDistance(q, n, max), notClose)
    }
    const ranked = { record, tier, distance, shown, index }
    if (worst !== undefined && !before(ranked, worst)) continue
    let at = best.length
    while (at > 0 && before(ranked, best[at - 1] as Ranked<T>)) at--
    best.splice(at, 0, ranked)
    if (best.length > limit) best.pop()
  }
  return best.map((x) => x.record)
}
