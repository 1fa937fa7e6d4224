import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Catalog } from '../../src/catalog/catalog.js'
import { searchOperations, stem, tokenize } from '../../src/catalog/search.js'
import { isAppError } from '../../src/errors.js'

const top = (hits: Array<{ method: string, path: string }>, n = 5): string[] => hits.slice(0, n).map((h) => `${h.method} ${h.path}`)

test('a path query returns that path\'s operations first, with or without the slash', async () => {
  const catalog = await Catalog.load()
  const user = searchOperations(catalog, '/User', { limit: 10 })
  assert.deepEqual(top(user.results, 6).sort(), ['DELETE /User/{uuid}', 'GET /User', 'GET /User/{uuid}', 'PATCH /User/{uuid}', 'POST /User', 'POST /User/{uuid}'])
  assert.deepEqual(top(user.results, 2).sort(), ['GET /User', 'POST /User'], 'the exact path comes before its sub-paths')

  const vm = searchOperations(catalog, 'VirDomain', { limit: 50 })
  assert.deepEqual(top(vm.results, 2).sort(), ['GET /VirDomain', 'POST /VirDomain'])
  const paths = vm.results.map((h) => h.path)
  assert.ok(paths.indexOf('/VirDomain/{virDomainUUID}') < paths.indexOf('/VirDomainSnapshot'), 'own sub-paths before longer names')

  const template = searchOperations(catalog, '/rest/v1/VirDomain/{virDomainUUID}')
  assert.deepEqual(top(template.results, 4).sort(), ['DELETE /VirDomain/{virDomainUUID}', 'GET /VirDomain/{virDomainUUID}', 'PATCH /VirDomain/{virDomainUUID}', 'POST /VirDomain/{virDomainUUID}'])
})

test('plain-language questions across every area land in the top 5', async () => {
  const catalog = await Catalog.load()
  const cases: Array<[string, string[]]> = [
    ['how do I power on a VM', ['POST /VirDomain/action']],
    ['turn off the virtual machine', ['POST /VirDomain/action']],
    ['add a disk to my guest', ['POST /VirDomainBlockDevice']],
    ['add a network card to a VM', ['POST /VirDomainNetDevice']],
    ['take a backup of a vm', ['POST /VirDomainSnapshot']],
    ['which nodes are in the cluster', ['GET /Node']],
    ['show active alerts', ['GET /Condition', 'GET /Condition/filter']],
    ['create a user', ['POST /User']],
    ['set up single sign-on', ['POST /OIDCConfig', 'PATCH /OIDCConfig/{uuid}']],
    ['configure the NTP server', ['POST /TimeSource', 'PATCH /TimeSource/{uuid}', 'GET /TimeSource']],
    ['is there a firmware upgrade', ['GET /Update']],
    ['log out', ['POST /logout']],
    ['how far along is my task', ['GET /TaskTag/{taskTag}', 'GET /TaskTag']],
    ['migrate a vm to another host', ['POST /VirDomain/action']]
  ]
  const tags = new Set<string>()
  for (const [q, answers] of cases) {
    const { results } = searchOperations(catalog, q)
    const found = results.slice(0, 5).find((h) => answers.includes(`${h.method} ${h.path}`))
    assert.ok(found, `"${q}" should find ${answers.join(' or ')} in the top 5, got ${top(results).join(', ')}`)
    tags.add(found.tag)
  }
  assert.ok(tags.size >= 9, `the questions span the areas (${[...tags].join(', ')})`)
})

test('results carry what a caller needs and are ranked best first', async () => {
  const catalog = await Catalog.load()
  const { results, total } = searchOperations(catalog, 'delete a snapshot', { limit: 3 })
  assert.equal(results.length, 3)
  assert.ok(total >= 3)
  assert.deepEqual(Object.keys(results[0] ?? {}).sort(), ['method', 'mutating', 'operationId', 'path', 'score', 'summary', 'tag'])
  assert.equal(results[0]?.operationId, 'deleteVirDomainSnapshot')
  assert.equal(results[0]?.mutating, true)
  assert.equal(results[0]?.score, 1)
  for (let i = 1; i < results.length; i++) assert.ok((results[i - 1]?.score ?? 0) >= (results[i]?.score ?? 0))
})

test('the method filter keeps only that method', async () => {
  const catalog = await Catalog.load()
  const all = searchOperations(catalog, 'VM snapshot', { limit: 50 })
  assert.ok(new Set(all.results.map((h) => h.method)).size > 1)
  const gets = searchOperations(catalog, 'VM snapshot', { method: 'GET', limit: 50 })
  assert.ok(gets.results.length > 0)
  assert.ok(gets.results.every((h) => h.method === 'GET'))
  assert.equal(gets.total, gets.results.length)
  const deletes = searchOperations(catalog, '/VirDomain', { method: 'delete' })
  assert.deepEqual(top(deletes.results, 1), ['DELETE /VirDomain/{virDomainUUID}'])
})

test('limit caps the results while total counts every match', async () => {
  const catalog = await Catalog.load()
  const r = searchOperations(catalog, 'VM', { limit: 2 })
  assert.equal(r.results.length, 2)
  assert.ok(r.total > 2)
})

test('no match gives an empty list and a hint naming the closest areas', async () => {
  const catalog = await Catalog.load()
  const r = searchOperations(catalog, 'zzqx wubble')
  assert.deepEqual(r.results, [])
  assert.equal(r.total, 0)
  assert.match(r.hint ?? '', /the areas are VMs, Snapshots/)
  const typo = searchOperations(catalog, 'snapshhhoot')
  assert.deepEqual(typo.results, [])
  assert.match(typo.hint ?? '', /Closest areas: Snapshots/)
  const filtered = searchOperations(catalog, 'power on a VM', { method: 'DELETE' })
  assert.deepEqual(filtered.results.filter((h) => h.operationId === 'virDomainAction'), [])
})

test('an empty or blank query is a clear 400 QUERY_EMPTY, not a crash', async () => {
  const catalog = await Catalog.load()
  for (const q of ['', '   \n\t ']) {
    assert.throws(() => searchOperations(catalog, q), (err: unknown) => {
      assert.ok(isAppError(err))
      assert.equal(err.code, 'QUERY_EMPTY')
      assert.equal(err.statusCode, 400)
      return true
    })
  }
})

test('a 1,000-character query answers quickly with results or a hint', async () => {
  const catalog = await Catalog.load()
  const long = ('please help me power on the virtual machine that runs our web shop because it went down ' +
    'during the night and nobody noticed until the morning when customers called us about it ').repeat(6).slice(0, 1000)
  assert.equal(long.length, 1000)
  const start = performance.now()
  const r = searchOperations(catalog, long)
  assert.ok(performance.now() - start < 500)
  assert.ok(r.results.length > 0)
  assert.ok(top(r.results).includes('POST /VirDomain/action'))
  const noise = searchOperations(catalog, 'x'.repeat(1000))
  assert.ok(noise.results.length > 0 || typeof noise.hint === 'string')
  const punctuation = searchOperations(catalog, '?!'.repeat(500))
  assert.deepEqual(punctuation.results, [])
  assert.equal(typeof punctuation.hint, 'string')
  assert.doesNotThrow(() => searchOperations(catalog, 'a'.repeat(5000)))
})

test('the tokenizer splits HyperCore names at case changes and the stemmer folds plurals', () => {
  assert.deepEqual(tokenize('VirDomainSnapshot'), ['vir', 'domain', 'snapshot', 'virdomainsnapshot'])
  assert.deepEqual(tokenize('AlertSMTPConfig numVCPU'), ['alert', 'smtp', 'config', 'alertsmtpconfig', 'num', 'vcpu', 'numvcpu'])
  assert.equal(stem('snapshots'), stem('snapshot'))
  assert.equal(stem('booting'), 'boot')
  assert.equal(stem('running'), 'run')
  assert.equal(stem('dns'), 'dns')
})

test('"METHOD /path" and concrete paths are understood as path queries', async () => {
  const catalog = await Catalog.load()
  assert.deepEqual(top(searchOperations(catalog, 'GET /VirDomain/{virDomainUUID}').results, 1), ['GET /VirDomain/{virDomainUUID}'])
  assert.ok(searchOperations(catalog, 'delete /VirDomain/{virDomainUUID}').results.every((h) => h.method === 'DELETE'))
  assert.deepEqual(top(searchOperations(catalog, '/rest/v1/VirDomain/action').results, 1), ['POST /VirDomain/action'], 'the literal template wins')
  const concrete = searchOperations(catalog, '/VirDomain/0b6e3c52-5a8e-4c57-9f0b-1f2a3b4c5d6e')
  assert.deepEqual(top(concrete.results, 4).sort(), ['DELETE /VirDomain/{virDomainUUID}', 'GET /VirDomain/{virDomainUUID}', 'PATCH /VirDomain/{virDomainUUID}', 'POST /VirDomain/{virDomainUUID}'])
})

test('a nonsense limit falls back to the default instead of returning nothing', async () => {
  const catalog = await Catalog.load()
  assert.equal(searchOperations(catalog, 'VM', { limit: Number.NaN }).results.length, 10)
  assert.equal(searchOperations(catalog, 'VM', { limit: 500 }).results.length <= 50, true)
})
