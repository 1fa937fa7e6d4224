import assert from 'node:assert/strict'
import { test } from 'node:test'
import { editDistance, isNeighbourSwap } from '../../src/text/edit-distance.js'

// The whole table, no band and no early stop: what the bounded routine must agree with.
function fullDistance (a: string, b: string, transpositions: boolean): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[]
      const up = d[i - 1] as number[]
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (transpositions && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1)
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number
}

// A fixed pseudo-random sequence, so every run compares the same pairs.
function words (count: number): string[] {
  let seed = 7
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed % n
  }
  return Array.from({ length: count }, () => Array.from({ length: next(9) }, () => 'abc'[next(3)]).join(''))
}

test('the bounded distance is the full distance up to max, and max + 1 past it, with and without transpositions', () => {
  const list = words(120)
  for (let k = 0; k + 1 < list.length; k++) {
    const a = list[k] as string
    const b = list[k + 1] as string
    for (const transpositions of [true, false]) {
      const exact = fullDistance(a, b, transpositions)
      assert.equal(editDistance(a, b, Number.POSITIVE_INFINITY, { transpositions }), exact, `${a} ${b}`)
      for (const max of [0, 1, 2, 3, 5]) {
        assert.equal(editDistance(a, b, max, { transpositions }), exact > max ? max + 1 : exact, `${a} ${b} ${max} ${transpositions}`)
      }
    }
  }
})

test('a swap of two neighbours is one edit by default and two without transpositions', () => {
  assert.equal(editDistance('lsit', 'list'), 1)
  assert.equal(editDistance('lsit', 'list', 2, { transpositions: false }), 2)
  assert.equal(editDistance('kitten', 'sitting'), 3)
  assert.equal(editDistance('', 'abc'), 3)
  assert.equal(editDistance('abc', 'abc', 0), 0)
})

test('the work counter gets the cells computed, and a distance past max stops within a band of rows', () => {
  const work = { cells: 0 }
  assert.equal(editDistance('web01', 'wbe01', 8, { work }), 1)
  assert.ok(work.cells > 0 && work.cells <= 25, `${work.cells} cells for two five-letter names`)
  work.cells = 0
  assert.equal(editDistance('a'.repeat(5000), 'b'.repeat(5000), 3, { work }), 4)
  assert.ok(work.cells <= 7 * 4, `${work.cells} cells: it stops at the first row past the bound`)
  work.cells = 0
  assert.equal(editDistance('short', 'a much longer name', 2, { work }), 3)
  assert.equal(work.cells, 0, 'lengths further apart than max need no table')
})

test('isNeighbourSwap holds for exactly one swap of two neighbours', () => {
  assert.equal(isNeighbourSwap('lsit', 'list'), true)
  assert.equal(isNeighbourSwap('delte', 'delet'), true)
  assert.equal(isNeighbourSwap('list', 'list'), false)
  assert.equal(isNeighbourSwap('made', 'make'), false, 'one changed letter is no swap')
  assert.equal(isNeighbourSwap('abcd', 'badc'), false, 'two swaps')
  assert.equal(isNeighbourSwap('abc', 'cba'), false, 'not neighbours')
  assert.equal(isNeighbourSwap('list', 'lists'), false)
})
