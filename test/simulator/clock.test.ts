import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ManualClock } from '../../src/simulator/clock.js'

test('a manual clock moves only when advanced, and runs each due timer at its time, in order', () => {
  const clock = new ManualClock(1_000)
  const seen: Array<[string, number]> = []
  clock.setTimer(300, () => { seen.push(['b', clock.now()]) })
  clock.setTimer(100, () => {
    seen.push(['a', clock.now()])
    // A timer set by a timer runs in the same advance when it falls due within it.
    clock.setTimer(50, () => { seen.push(['a2', clock.now()]) })
  })
  const cancel = clock.setTimer(200, () => { seen.push(['cancelled', clock.now()]) })
  cancel()
  assert.equal(clock.now(), 1_000)
  clock.advance(99)
  assert.deepEqual(seen, [])
  clock.advance(400)
  assert.deepEqual(seen, [['a', 1_100], ['a2', 1_150], ['b', 1_300]])
  assert.equal(clock.now(), 1_499)
  assert.equal(clock.pendingTimers, 0)
  assert.throws(() => { clock.advance(-1) }, RangeError)
})

test('timers due at the same moment run in the order they were set', () => {
  const clock = new ManualClock()
  const order: number[] = []
  for (let i = 0; i < 5; i++) clock.setTimer(10, () => { order.push(i) })
  clock.advance(10)
  assert.deepEqual(order, [0, 1, 2, 3, 4])
})
