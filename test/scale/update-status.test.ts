import assert from 'node:assert/strict'
import { test } from 'node:test'
import { interpretReading, UpdateWatcher, type StatusReading } from '../../src/scale/update-status.js'

const NODE = '127.0.0.5'

function file (doc: unknown): StatusReading {
  return { kind: 'answer', status: 200, data: doc, json: true, node: NODE }
}

const PREPARING = { prepareStatus: { state: 'DOWNLOAD RPMS' }, updateStatus: { percent: '4', status: { statusdetails: 'Preparing update' } } }
const APPLYING = { prepareStatus: { state: 'COMPLETE' }, updateStatus: { masterState: 'EXECUTING', percent: '42', toVersion: '9.4.31.218011', status: { statusdetails: 'Installing update' } } }
const DONE = { prepareStatus: { state: 'COMPLETE' }, updateStatus: { masterState: 'COMPLETE', percent: '100', toVersion: '9.4.31.218011' } }
const NOT_FOUND: StatusReading = { kind: 'answer', status: 404, data: '<html><body>404 Not Found</body></html>', json: false, node: NODE }
const BAD_GATEWAY: StatusReading = { kind: 'answer', status: 502, data: '<html>502 Bad Gateway</html>', json: false, node: NODE }
const GARBAGE: StatusReading = { kind: 'answer', status: 200, data: '{"prepareStatus": {"sta', json: false, node: NODE }
const TIMEOUT: StatusReading = { kind: 'failed', code: 'SCALE_TIMEOUT', node: NODE }
const TLS: StatusReading = { kind: 'failed', code: 'SCALE_TLS_UNTRUSTED', node: NODE }

test('idle only when prepareStatus.state and updateStatus.masterState are both COMPLETE', () => {
  assert.deepEqual(interpretReading(file(DONE)), { kind: 'file', state: 'idle' })
  // Apply: prepareStatus is COMPLETE again, so a prepare-only check would say idle.
  assert.deepEqual(interpretReading(file(APPLYING)), { kind: 'file', state: 'updating', phase: 'applying', percent: 42, toVersion: '9.4.31.218011', detail: 'Installing update' })
  // Prepare: masterState does not exist yet, so a masterState-only check would say idle.
  assert.deepEqual(interpretReading(file(PREPARING)), { kind: 'file', state: 'updating', phase: 'preparing', percent: 4, detail: 'DOWNLOAD RPMS' })
  assert.equal((interpretReading(file({ prepareStatus: { state: 'COMPLETE' }, updateStatus: { masterState: 'IN PROGRESS' } })) as { state: string }).state, 'updating')
  assert.equal((interpretReading(file({ prepareStatus: { state: 'COMPLETE' }, updateStatus: {} })) as { state: string }).state, 'updating')
})

test('404, 502, non-JSON, a JSON that is not a status document, timeouts and TLS failures are unreadable, never idle', () => {
  assert.deepEqual(interpretReading(NOT_FOUND), { kind: 'unreadable', reason: 'no-status-file' })
  assert.deepEqual(interpretReading(BAD_GATEWAY), { kind: 'unreadable', reason: 'status 502' })
  assert.deepEqual(interpretReading(GARBAGE), { kind: 'unreadable', reason: 'not-json' })
  assert.deepEqual(interpretReading(file([DONE])), { kind: 'unreadable', reason: 'not-json' })
  assert.deepEqual(interpretReading(file({ status: 'ok' })), { kind: 'unreadable', reason: 'not-a-status-document' })
  assert.deepEqual(interpretReading(TIMEOUT), { kind: 'unreadable', reason: 'SCALE_TIMEOUT' })
  assert.deepEqual(interpretReading(TLS), { kind: 'unreadable', reason: 'SCALE_TLS_UNTRUSTED' })
})

/** A watcher over a scripted sequence of readings, on a clock the test moves. */
function scripted (readings: StatusReading[], opts: { cacheMs?: number, latchMs?: number } = {}): { watcher: UpdateWatcher, reads: () => number, advance: (ms: number) => void } {
  let now = 1_000_000
  let reads = 0
  const watcher = new UpdateWatcher({
    read: async () => readings[Math.min(reads++, readings.length - 1)] as StatusReading,
    now: () => now,
    cacheMs: opts.cacheMs ?? 5000,
    ...(opts.latchMs === undefined ? {} : { latchMs: opts.latchMs })
  })
  return { watcher, reads: () => reads, advance: (ms) => { now += ms } }
}

test('a cluster that never updated (404) is unknown, not idle and not updating', async () => {
  const { watcher } = scripted([NOT_FOUND])
  const status = await watcher.check()
  assert.equal(status.state, 'unknown')
  assert.equal(status.reason, 'no-status-file')
  assert.equal(status.node, NODE)
})

test('once an update was seen, a 404, a 502, garbage, a timeout or a TLS failure means it goes on (restarting), keeping percent and version', async () => {
  for (const unreadable of [NOT_FOUND, BAD_GATEWAY, GARBAGE, TIMEOUT, TLS]) {
    const { watcher, advance } = scripted([file(APPLYING), unreadable])
    assert.equal((await watcher.check()).state, 'updating')
    advance(5000)
    const status = await watcher.check()
    assert.equal(status.state, 'updating', JSON.stringify(unreadable))
    assert.equal(status.phase, 'restarting')
    assert.equal(status.percent, 42)
    assert.equal(status.toVersion, '9.4.31.218011')
    assert.ok(status.reason !== undefined)
  }
})

test('the sighting of an update lasts latchMs; after that an unreadable file is unknown again', async () => {
  const { watcher, advance } = scripted([file(APPLYING), TIMEOUT], { latchMs: 60_000 })
  await watcher.check()
  advance(59_000)
  assert.equal((await watcher.check()).state, 'updating')
  advance(5000)
  assert.equal((await watcher.check()).state, 'unknown')
})

test('a file saying COMPLETE ends the update: a later unreadable file is unknown, not updating', async () => {
  const { watcher, advance } = scripted([file(APPLYING), file(DONE), NOT_FOUND])
  assert.equal((await watcher.check()).state, 'updating')
  advance(5000)
  assert.equal((await watcher.check()).state, 'idle')
  advance(5000)
  assert.equal((await watcher.check()).state, 'unknown')
})

test('readings are cached for cacheMs and concurrent checks share one read; invalidate forces the next read', async () => {
  const { watcher, reads, advance } = scripted([file(APPLYING), file(DONE)])
  const all = await Promise.all(Array.from({ length: 20 }, async () => await watcher.check()))
  assert.equal(reads(), 1)
  assert.ok(all.every((s) => s === all[0]))
  advance(4999)
  await watcher.check()
  assert.equal(reads(), 1, 'still fresh')
  assert.equal(watcher.last?.state, 'updating')
  watcher.invalidate()
  assert.equal((await watcher.check()).state, 'idle')
  assert.equal(reads(), 2)
  assert.equal((await watcher.check(0)).state, 'idle', 'maxAgeMs 0 reads again')
  assert.equal(reads(), 3)
})
