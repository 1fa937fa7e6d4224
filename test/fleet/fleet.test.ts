import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fanOut } from '../../src/fleet/fan-out.js'
import { Fleet } from '../../src/fleet/fleet.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import { startTestSimulator } from '../simulator-helper.js'
import { scratchFile } from '../helper.js'

test('connections open when first used, at most maxOpen at once, and a closed one comes back without a new login', async (t) => {
  const sims = await Promise.all([0, 1, 2].map(async (i) => await startTestSimulator(t, { seed: 0x200 + i })))
  let logins = 0
  const fleet = new Fleet(sims.map((sim, i) => ({ name: `c${i}`, connection: { ...clusterConfigFor(sim), name: `c${i}`, sessionFile: scratchFile(`session-c${i}.json`) } })), {
    maxOpen: 2,
    client: { observer: { call () {}, login (ok) { if (ok) logins++ } } }
  })
  t.after(() => fleet.close())
  assert.equal(fleet.open, 0, 'nothing opens at start')
  const read = async (name: string): Promise<void> => {
    const lease = fleet.lease(fleet.resolve({ name: 'test' }, name))
    try {
      await lease.client.call('GET', '/Cluster')
    } finally {
      lease.release()
    }
  }
  await read('c0')
  await read('c1')
  assert.equal(fleet.open, 2)
  await read('c2')
  assert.equal(fleet.open, 2, 'the least recently used idle connection made room')
  assert.equal(logins, 3)
  await read('c0')
  assert.equal(logins, 3, 'c0 opened again with its stored session, no new login')
  // A leased connection is never closed to make room: the bound gives way for the call instead.
  const held = [fleet.lease(fleet.resolve({ name: 'test' }, 'c1')), fleet.lease(fleet.resolve({ name: 'test' }, 'c2'))]
  await read('c0')
  assert.equal(fleet.open, 3)
  assert.equal(fleet.openClient('c0') !== undefined && fleet.openClient('c1') !== undefined && fleet.openClient('c2') !== undefined, true)
  for (const lease of held) lease.release()
})

test('a read across clusters: bounded, each within its own deadline, partial results in order, cancelled with the caller', async () => {
  const members = ['a', 'b', 'c', 'd'].map((name) => ({ name, tags: [], host: '', credentials: true }))
  let running = 0
  let most = 0
  const results = await fanOut(members, async (member, signal) => {
    running++
    most = Math.max(most, running)
    try {
      if (member.name === 'b') return await new Promise<never>(() => {}) // never answers, ignores its signal
      if (member.name === 'c') throw Object.assign(new Error('x'), { code: 'SCALE_UNREACHABLE' })
      return `${member.name} ok${signal.aborted ? ' (aborted)' : ''}`
    } finally {
      running--
    }
  }, { concurrency: 2, perClusterMs: 50, totalMs: 10_000 })
  assert.deepEqual(results.map((r) => r.ok ? r.value : r.code), ['a ok', 'SCALE_TIMEOUT', 'INTERNAL_ERROR', 'd ok'])
  assert.ok(most <= 2)

  const caller = new AbortController()
  const cancelled = fanOut(members, async (_member, signal) => await new Promise<string>((_resolve, reject) => { signal.addEventListener('abort', () => { reject(new Error('aborted')) }) }), { concurrency: 4, perClusterMs: 60_000, totalMs: 60_000, signal: caller.signal })
  caller.abort()
  assert.deepEqual((await cancelled).map((r) => r.ok ? 'ok' : r.code), ['CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED'])
})

test('a read across clusters starts the slow ones first when told, and answers in input order', async () => {
  const members = ['a', 'b', 'c'].map((name) => ({ name, tags: [], host: '', credentials: true }))
  const started: string[] = []
  const results = await fanOut(members, async (member) => { started.push(member.name); return member.name }, { concurrency: 1, perClusterMs: 1000, totalMs: 1000, priority: (m) => m.name === 'c' ? 5 : 0 })
  assert.deepEqual(started, ['c', 'a', 'b'])
  assert.deepEqual(results.map((r) => r.ok ? r.value : r.code), ['a', 'b', 'c'])
})
