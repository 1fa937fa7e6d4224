import { editDistance as boundedEditDistance } from './edit-distance.js'

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

/** Edit distance with adjacent transpositions, stopped past `max` (the answer is then `max + 1`); its cells count in `rankingWork`. */
export function editDistance (a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  return boundedEditDistance(a, b, max, { work: rankingWork })
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
