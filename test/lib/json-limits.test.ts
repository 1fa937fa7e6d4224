import assert from 'node:assert/strict'
import { test } from 'node:test'
import { jsonTextDepth, measureJson, nestsDeeperThan } from '../../src/lib/json-limits.js'

// A value nested `levels` deep, built without recursion: [[[...]]] or {"a":{"a":...}}.
function nested (levels: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 1
  for (let i = 0; i < levels; i++) value = kind === 'array' ? [value] : { a: value }
  return value
}

test('nestsDeeperThan agrees with measureJson and the text count at and around the bound, for arrays and objects', () => {
  for (const kind of ['array', 'object'] as const) {
    for (const levels of [0, 1, 2, 399, 400, 401, 20_000]) {
      const value = nested(levels, kind)
      const depth = measureJson(value).depth
      assert.equal(depth, Math.max(1, levels))
      const text = kind === 'array' ? '['.repeat(levels) + '1' + ']'.repeat(levels) : '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)
      assert.equal(jsonTextDepth(text), levels)
      for (const bound of [1, 399, 400]) assert.equal(nestsDeeperThan(value, bound), depth > bound, `${kind} ${levels} against ${bound}`)
    }
  }
})

test('nestsDeeperThan finds the one deep branch among wide shallow ones, whatever its key (a __proto__ key from JSON.parse too)', () => {
  const wide = Array.from({ length: 1000 }, (_, i) => ({ uuid: String(i), tags: ['a'], blockDevs: [{ type: 'VIRTIO_DISK' }] }))
  assert.equal(nestsDeeperThan(wide, 400), false)
  assert.equal(nestsDeeperThan(wide, 3), true)
  assert.equal(nestsDeeperThan(wide, 4), false)
  const hidden = JSON.parse(`[{"x":1},{"__proto__":${JSON.stringify(nested(450, 'array'))}}]`) as unknown
  assert.equal(nestsDeeperThan(hidden, 400), true)
  assert.equal(measureJson(hidden, 400).depth > 400, true)
})
