/** Options of `editDistance`. */
export interface EditDistanceOptions {
  /** Whether two neighbouring letters swapped count as one edit (optimal string alignment, the default) or two (Levenshtein). */
  transpositions?: boolean
  /** A counter the distance-table cells computed are added to, so a caller can bound its work. */
  work?: { cells: number }
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment): "wbe01" is one step from "web01", as a
 * person's typo is; `transpositions: false` gives the plain Levenshtein distance. With `max`, only a band of the
 * table is computed and the work stops as soon as the distance must exceed it; the answer is then `max + 1`.
 */
export function editDistance (a: string, b: string, max = Number.POSITIVE_INFINITY, options: EditDistanceOptions = {}): number {
  if (a === b) return 0
  const n = a.length
  const m = b.length
  if (Math.abs(n - m) > max) return max + 1
  if (n === 0 || m === 0) return Math.max(n, m)
  const transpositions = options.transpositions ?? true
  const work = options.work
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
      if (transpositions && j > 1 && ai === b.charCodeAt(j - 2) && aPrev === bj && (before[j - 2] as number) + 1 < best) best = (before[j - 2] as number) + 1
      current[j] = best
      left = best
      if (best < rowMin) rowMin = best
    }
    if (hi < m) current[hi + 1] = far
    if (work !== undefined) work.cells += hi - lo + 1
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

/** Whether `b` is `a` with two neighbouring letters swapped ("lsit" and "list"), and nothing else changed. */
export function isNeighbourSwap (a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let at = -1
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue
    if (at !== -1) return false
    if (a[i] !== b[i + 1] || a[i + 1] !== b[i]) return false
    at = i
    i++
  }
  return at !== -1
}
