import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_NAME_LENGTH } from '../../src/tools/support/argument-limits.js'
import { closestNames, COMPARED_CHARS, editDistance, RANKING_CELL_BUDGET, rankingWork } from '../../src/text/closest-names.js'
import { toolsets } from '../../src/tools/registry.js'
import { toolSetup } from './setup.js'

const VMS = 10_000

// A flat (not concatenated) string of `length` characters starting with `head`: how names parsed from JSON are held.
function longName (head: string, length: number): string {
  const buf = Buffer.alloc(length, 'x')
  buf.write(head, 0, 'latin1')
  return buf.toString('latin1')
}

// Distinct long names shared by many records, so 10,000 records of 100,000 characters fit in a few megabytes.
function records (count: number, length: number): Array<{ name: string }> {
  const names = Array.from({ length: 50 }, (_, i) => longName(`vm-${i}-`, length))
  return Array.from({ length: count }, (_, i) => ({ name: names[i % names.length] as string }))
}

// The ranking work one call does: distance-table cells and name characters read.
function work (fn: () => unknown): { cells: number, chars: number } {
  const cells = rankingWork.cells
  const chars = rankingWork.chars
  fn()
  return { cells: rankingWork.cells - cells, chars: rankingWork.chars - chars }
}

// The most a lookup among `count` names may read, whatever their length: its own prefix and each name's.
function charBudget (count: number): number {
  return (count + 1) * COMPARED_CHARS
}

test('ranking 10,000 names stays within a fixed work budget for huge queries and huge names', () => {
  const cases: Array<[string, string, Array<{ name: string }>]> = [
    ['a 5 MB query among normal names', longName('web01', 5 * 1024 * 1024), Array.from({ length: VMS }, (_, i) => ({ name: `vm-${String(i).padStart(5, '0')}` }))],
    ['a 10,000-character query among 100,000-character names', longName('vm-3-', 10_000), records(VMS, 100_000)],
    ['a 100,000-character query among names of the same length', longName('zz-', 100_000), records(VMS, 100_000)],
    ['a 64-character query among 64-character names', longName('zz-', 64), records(VMS, 64)],
    ['a 256-character query among 250-character names', longName('vm-7-', 256), records(VMS, 250)]
  ]
  for (const [label, query, list] of cases) {
    const done = work(() => closestNames(query, list, 5))
    assert.ok(done.cells <= RANKING_CELL_BUDGET, `${label}: ${done.cells} cells`)
    assert.ok(done.chars <= charBudget(list.length), `${label}: ${done.chars} characters read`)
    assert.ok(done.cells + done.chars <= 2_000_000, `${label}: ${done.cells + done.chars} units of work`)
  }
})

test('a query far longer than every name is ranked without any distance table', () => {
  const done = work(() => closestNames(longName('web01', 100_000), [{ name: 'web01' }, { name: 'web02' }, { name: 'sql01' }], 5))
  assert.equal(done.cells, 0)
})

test('a slip in one name among 10,000 still finds it first, within the budget', () => {
  const list = Array.from({ length: VMS }, (_, i) => ({ name: `vm-${String(i).padStart(5, '0')}` }))
  list.push({ name: 'web01' })
  let found: string[] = []
  const done = work(() => { found = closestNames('wbe01', list, 5).map((r) => r.name) })
  assert.equal(found[0], 'web01')
  assert.ok(done.cells <= RANKING_CELL_BUDGET, `${done.cells} cells`)
})

test('the bounded edit distance is exact up to its bound and bound + 1 past it', () => {
  let seed = 11
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff }
  const word = (): string => Array.from({ length: Math.floor(rnd() * 10) }, () => 'abc'[Math.floor(rnd() * 3)]).join('')
  for (let k = 0; k < 5000; k++) {
    const a = word()
    const b = word()
    const max = Math.floor(rnd() * 8)
    const exact = editDistance(a, b)
    assert.equal(editDistance(a, b, max), exact > max ? max + 1 : exact, `${a} ${b} ${max}`)
  }
  const before = rankingWork.cells
  assert.equal(editDistance('a'.repeat(5000), 'b'.repeat(5000), 3), 4)
  assert.ok(rankingWork.cells - before <= 7 * 4, 'it stops at the first row past the bound')
})

test('every name, label, node, tag and share argument of the typed tools refuses a 1 MB string with a 400 naming the field and its bound', async (t) => {
  const s = await toolSetup(t)
  const huge = 'n'.repeat(1024 * 1024)
  let checked = 0
  for (const tool of toolsets.vm) {
    for (const [field, schema] of Object.entries(tool.input.properties as Record<string, { type?: string, enum?: unknown[], items?: { type?: string } }>)) {
      const isArray = schema.type === 'array' && schema.items?.type === 'string'
      // An enum is bounded by its values.
      if ((schema.type !== 'string' || schema.enum !== undefined) && !isArray) continue
      const res = await s.call(tool.name, { [field]: isArray ? [huge] : huge })
      assert.equal(res.statusCode, 400, `${tool.name} ${field}: ${res.body.slice(0, 200)}`)
      const body = res.json()
      assert.equal(body.code, 'VALIDATION_ERROR')
      const name = isArray ? `${field}[0]` : field
      const issue = body.details.fields.find((f: { field: string }) => f.field === name)
      assert.match(issue?.message ?? '', /must be at most \d+ characters long/, `${tool.name} ${field}: ${res.body.slice(0, 300)}`)
      checked++
    }
  }
  assert.ok(checked >= 23, `${checked} fields checked`)
})

test('get_vm with a 5 MB name is a 400 VALIDATION_ERROR naming vm and the bound', async (t) => {
  const s = await toolSetup(t)
  const res = await s.call('get_vm', { vm: longName('web01', 5 * 1024 * 1024) }, 'reader')
  assert.equal(res.statusCode, 400)
  assert.equal(res.json().code, 'VALIDATION_ERROR')
  assert.match(res.json().message, new RegExp(`vm must be at most ${MAX_NAME_LENGTH} characters long`))
  assert.ok(res.body.length < 2000, 'the answer does not repeat the name')
})

test('update_vm refuses a 100,000-character new name and leaves the VM as it was', async (t) => {
  const s = await toolSetup(t)
  const res = await s.call('update_vm', { vm: 'web01', name: longName('web01-', 100_000) })
  assert.equal(res.statusCode, 400)
  assert.equal(res.json().code, 'VALIDATION_ERROR')
  assert.match(res.json().message, new RegExp(`name must be at most ${MAX_NAME_LENGTH} characters long`))
  assert.equal(s.vm('web01').name, 'web01')
  const tags = await s.call('update_vm', { vm: 'web01', tags: Array.from({ length: 65 }, (_, i) => `t${i}`) })
  assert.equal(tags.statusCode, 400)
  assert.match(tags.json().message, /tags must have at most 64 items/)
})

test('VMs named 100,000 characters long on the cluster: a lookup stays within the budget and the answer shows their names cut', async (t) => {
  const s = await toolSetup(t)
  const renamed = [s.vm('web01'), s.vm('web02')]
  for (const [i, vm] of renamed.entries()) vm.name = longName(`web0${i + 1}-`, 100_000)
  const cells = rankingWork.cells
  const res = await s.call('get_vm', { vm: 'web0' }, 'reader')
  assert.ok(rankingWork.cells - cells <= RANKING_CELL_BUDGET)
  assert.equal(res.statusCode, 404)
  assert.equal(res.json().code, 'NAME_NOT_FOUND')
  assert.ok(res.body.length < 10_000, `the answer is ${res.body.length} characters`)
  const long = res.json().details.candidates.filter((c: { uuid: string }) => renamed.some((vm) => vm.uuid === c.uuid))
  assert.equal(long.length, 2, 'both long names are candidates (they start like the query)')
  for (const c of long) assert.ok(c.name.length < 100 && c.name.endsWith('…'), c.name.slice(0, 100))
  assert.equal((await s.ok('get_vm', { vm: renamed[0]?.uuid }, 'reader')).uuid, renamed[0]?.uuid, 'the UUID still finds it')
})
