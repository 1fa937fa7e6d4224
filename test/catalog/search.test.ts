import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { Catalog } from '../../src/catalog/catalog.js'
import { describeEndpoint } from '../../src/catalog/describe.js'
import { searchOperations, stem, tokenize } from '../../src/catalog/search.js'
import { explainSearch } from '../../src/catalog/search/explain.js'
import { getIndex } from '../../src/catalog/search/build-index.js'
import { isAppError } from '../../src/errors/app-error.js'

const top = (hits: Array<{ method: string, path: string }>, n = 5): string[] => hits.slice(0, n).map((h) => `${h.method} ${h.path}`)
// The first result of a question as `METHOD /path` ('' when there is none), and that with the answer's match.
const firstOf = (catalog: Catalog, q: string): string => top(searchOperations(catalog, q).results, 1)[0] ?? ''
function answerOf (catalog: Catalog, q: string): { first: string, match: string } {
  const s = searchOperations(catalog, q)
  return { first: top(s.results, 1)[0] ?? '', match: s.match }
}
const LEVEL = { high: 2, medium: 1, low: 0 }

async function evalSet (file: string): Promise<Array<{ q: string, answers: string[], kind?: string }>> {
  return JSON.parse(await readFile(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')) as Array<{ q: string, answers: string[], kind?: string }>
}

/** Recall and the share answered "none", as bench/search.ts counts them (the bench prints the same figures per kind). */
function score (catalog: Catalog, cases: Array<{ q: string, answers: string[] }>): { at1: number, at5: number, flagged: number, falseNone: number, misses: string[] } {
  let at1 = 0
  let at5 = 0
  let flagged = 0
  let falseNone = 0
  const misses: string[] = []
  const answerable = cases.filter((c) => c.answers.length > 0)
  for (const c of cases) {
    const r = searchOperations(catalog, c.q)
    const got = top(r.results, 5)
    if (c.answers.length === 0) {
      if (r.match === 'none') flagged++
      else misses.push(`"${c.q}" should be none, got ${r.match}: ${got.slice(0, 2).join(', ')}`)
      continue
    }
    if (r.match === 'none') falseNone++
    if (c.answers.includes(got[0] ?? '')) at1++
    if (got.some((g) => c.answers.includes(g))) at5++
    else misses.push(`"${c.q}" wants ${c.answers.join(' | ')}, got ${got.join(', ')}`)
  }
  const unanswerable = cases.length - answerable.length
  return { at1: at1 / answerable.length, at5: at5 / answerable.length, flagged: unanswerable === 0 ? 1 : flagged / unanswerable, falseNone: falseNone / answerable.length, misses }
}

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

test('results carry what a caller needs, an absolute confidence, and are ranked best first', async () => {
  const catalog = await Catalog.load()
  const r = searchOperations(catalog, 'delete a snapshot', { limit: 3 })
  const { results, total } = r
  assert.equal(results.length, 3)
  assert.ok(total >= 3)
  assert.deepEqual(Object.keys(results[0] ?? {}).sort(), ['confidence', 'method', 'mutating', 'operationId', 'path', 'summary', 'tag'])
  assert.equal(results[0]?.operationId, 'deleteVirDomainSnapshot')
  assert.equal(results[0]?.mutating, true)
  assert.equal(results[0]?.confidence, 'high')
  assert.equal(r.match, 'strong')
  assert.equal(r.hint, undefined)
  for (let i = 1; i < results.length; i++) assert.ok(LEVEL[results[i - 1]?.confidence ?? 'low'] >= LEVEL[results[i]?.confidence ?? 'low'])
  // Absolute, not relative to the best: a search whose best is poor has no 'high' result at all.
  const poor = searchOperations(catalog, 'configure firewall rules for the hypervisor')
  assert.ok(poor.results.every((h) => h.confidence === 'low'))
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
  assert.equal(r.match, 'none')
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

test('a 1,000-character query answers with results or a hint, and nothing past 1,000 characters is read', async () => {
  const catalog = await Catalog.load()
  const long = ('please help me power on the virtual machine that runs our web shop because it went down ' +
    'during the night and nobody noticed until the morning when customers called us about it ').repeat(6).slice(0, 1000)
  assert.equal(long.length, 1000)
  const r = searchOperations(catalog, long)
  // The work is bounded by what is read, not by what is sent: a query 100 times longer reads the same 1,000 characters.
  assert.deepEqual(searchOperations(catalog, long + 'delete everything '.repeat(5000)), r)
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

test('the evaluation sets keep their figures: every set at recall@5 >= 95%, the operator and fresh sets also recall@1 >= 80%, unanswerable flagged >= 80% and false none <= 5%', async () => {
  const catalog = await Catalog.load()
  const tuned = score(catalog, await evalSet('search-eval.json'))
  assert.ok(tuned.at5 >= 0.95, `search-eval.json recall@5 ${tuned.at5}: ${tuned.misses.join('; ')}`)
  const operators = score(catalog, await evalSet('search-eval-operators.json'))
  assert.ok(operators.at5 >= 0.95, `operators recall@5 ${operators.at5}: ${operators.misses.join('; ')}`)
  assert.ok(operators.at1 >= 0.8, `operators recall@1 ${operators.at1}`)
  assert.ok(operators.flagged >= 0.8, `operators unanswerable flagged ${operators.flagged}: ${operators.misses.join('; ')}`)
  assert.ok(operators.falseNone <= 0.05, `operators answerable questions answered none: ${operators.falseNone}`)
  const fresh = score(catalog, await evalSet('search-eval-fresh.json'))
  assert.ok(fresh.at5 >= 0.95, `fresh recall@5 ${fresh.at5}: ${fresh.misses.join('; ')}`)
  assert.ok(fresh.at1 >= 0.8, `fresh recall@1 ${fresh.at1}`)
  assert.ok(fresh.flagged >= 0.8, `fresh unanswerable flagged ${fresh.flagged}: ${fresh.misses.join('; ')}`)
  assert.ok(fresh.falseNone <= 0.05, `fresh answerable questions answered none: ${fresh.falseNone}`)
})

test('the request is read from the clause that asks and from the verb\'s place, not from any word anywhere', async () => {
  const catalog = await Catalog.load()
  const rename = searchOperations(catalog, 'how do I rename a user account')
  assert.equal(top(rename.results, 1)[0], 'PATCH /User/{uuid}')
  assert.equal(rename.match, 'strong')
  // "test" describes the machines; wiping them is the request.
  const wipe = top(searchOperations(catalog, 'wipe the old test machines').results, 5)
  assert.ok(wipe.slice(0, 3).includes('DELETE /VirDomain/{virDomainUUID}'), wipe.join(', '))
  assert.ok(!wipe.includes('POST /AlertEmailTarget/{uuid}/test'), wipe.join(', '))
  // The scene ("the linux box has no network") is set before the question that asks about the NIC.
  assert.match(firstOf(catalog, 'the linux box has no network, is the nic unplugged?'), /^GET \/VirDomainNetDevice/)
  assert.equal(firstOf(catalog, 'bring the print server back up'), 'POST /VirDomain/action')
  assert.equal(firstOf(catalog, 'Add-VMHardDiskDrive to a vm'), 'POST /VirDomainBlockDevice')
  assert.equal(firstOf(catalog, 'Get-VMHost'), 'GET /Node')
  // A relative clause describes the thing; its verb is not the request.
  assert.equal(firstOf(catalog, 'list the remote clusters we can replicate to'), 'GET /RemoteClusterConnection')
  // A slip of a verb is that verb; a slip of a documented word searches as that word.
  assert.equal(firstOf(catalog, 'chnage the description of my vm'), 'PATCH /VirDomain/{virDomainUUID}')
  assert.equal(firstOf(catalog, 'snapshoot the db box before i patch it'), 'POST /VirDomainSnapshot')
})

test('a word no document knows is a name beside a known noun, but a concept of its own as the verb, the object or the thing asked for', async () => {
  const catalog = await Catalog.load()
  // None of these words is in any vocabulary list: the verdict comes from where the unknown word stands.
  for (const q of ['configure the frobnicator on the nodes', 'frobnicate the vms', 'enable a frobnicator server on vlan 20', 'what frobnicators does the cluster have']) {
    const r = searchOperations(catalog, q)
    assert.equal(r.match, 'none', `${q}: ${top(r.results, 3).join(', ')}`)
    assert.match(r.hint ?? '', /^No operation does/)
  }
  for (const [q, answer] of [['delete the frobnicator vm', 'DELETE /VirDomain/{virDomainUUID}'], ['grow the disk of the frobnicator vm', 'PATCH /VirDomainBlockDevice/{uuid}'],
    ['give bob an account', 'POST /User']] as const) {
    const r = searchOperations(catalog, q)
    assert.notEqual(r.match, 'none', q)
    assert.ok(top(r.results, 3).includes(answer), `${q}: ${top(r.results, 3).join(', ')}`)
  }
})

test('a time or recurrence asks for a schedule: snapshots have one, power actions do not', async () => {
  const catalog = await Catalog.load()
  const snapshots = searchOperations(catalog, 'snapshot the vm every night at 2am')
  assert.equal(top(snapshots.results, 1)[0], 'POST /VirDomainSnapshotSchedule')
  assert.notEqual(snapshots.match, 'none')
  assert.equal(searchOperations(catalog, 'restart the web vm every night at 2am').match, 'none')
  // In a question the time only says which one: the nightly replication is still a replication.
  assert.match(top(searchOperations(catalog, 'did the nightly replication run').results, 1)[0] ?? '', /^GET \/VirDomainReplication/)
  // "by 50 gigs" is no time of day.
  assert.equal(top(searchOperations(catalog, 'extend the data disk by 50 gigs').results, 1)[0], 'PATCH /VirDomainBlockDevice/{uuid}')
})

test('a task named by a field, a state or another hypervisor\'s word finds the operation that reads or writes it', async () => {
  const catalog = await Catalog.load()
  const cases: Array<[string, string[]]> = [
    ['two more processors for the database server', ['PATCH /VirDomain/{virDomainUUID}', 'POST /VirDomain/{virDomainUUID}']],
    ['give the web VM 16 GB of RAM', ['PATCH /VirDomain/{virDomainUUID}', 'POST /VirDomain/{virDomainUUID}']],
    ['make the D: drive 500 GB', ['PATCH /VirDomainBlockDevice/{uuid}', 'POST /VirDomainBlockDevice/{uuid}']],
    ['keep the swap disk out of snapshots', ['PATCH /VirDomainBlockDevice/{uuid}', 'POST /VirDomainBlockDevice/{uuid}']],
    ['is the file server on?', ['GET /VirDomain', 'GET /VirDomain/{virDomainUUID}']],
    ['what time zone does the cluster use', ['GET /TimeZone', 'GET /TimeZone/{uuid}']],
    ['vMotion a guest to host 3', ['POST /VirDomain/action']],
    ['create a checkpoint', ['POST /VirDomainSnapshot']]
  ]
  for (const [q, answers] of cases) {
    const r = searchOperations(catalog, q)
    assert.ok(answers.includes(top(r.results, 1)[0] ?? ''), `"${q}" should find ${answers.join(' or ')} first, got ${top(r.results).join(', ')}`)
    assert.notEqual(r.match, 'none', q)
  }
})

test('when no operation does it, match is none, the nearest operations still come back and the hint says so', async () => {
  const catalog = await Catalog.load()
  const firewall = searchOperations(catalog, 'open port 443 in the firewall')
  assert.equal(firewall.match, 'none')
  assert.ok(firewall.results.length > 0, 'the nearest operations are listed')
  assert.ok(firewall.results.every((h) => h.confidence === 'low'))
  assert.match(firewall.hint ?? '', /^No operation does "open port 443 in the firewall"\. The REST API has no firewall/)
  assert.match(firewall.hint ?? '', /Closest areas: Network/)
  assert.match(firewall.hint ?? '', /only the nearest operations, not answers/)
  // Nothing in the vocabulary says so here: the catalogue does, as nodes can only be read, not rebooted.
  const reboot = searchOperations(catalog, 'reboot one of the nodes')
  assert.equal(reboot.match, 'none')
  assert.match(reboot.hint ?? '', /^\/Node has no action operation in this API: it can only be read/)
})

test('a partial match is weak and the hint names what is not covered', async () => {
  const catalog = await Catalog.load()
  const r = searchOperations(catalog, 'add a TPM chip')
  assert.equal(r.match, 'weak')
  assert.equal(r.results[0]?.confidence, 'medium')
  assert.match(r.hint ?? '', /^Only a partial match \(not covered: chip\)/)
})

test('words that name Object.prototype members are plain words: no 500 from query_api or describe_endpoint', async () => {
  const catalog = await Catalog.load()
  for (const q of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'delete the constructor vm', 'list __proto__ disks', 'hasOwnProperty of a snapshot', '/constructor', 'GET /toString']) {
    const r = searchOperations(catalog, q)
    assert.ok(['strong', 'weak', 'none'].includes(r.match), q)
    assert.ok(Array.isArray(r.results), q)
  }
  assert.equal(searchOperations(catalog, 'constructor').match, 'none')
  for (const path of ['/constructor', '/__proto__', '/toString/{id}', '/VirDomain/hasOwnProperty/valueOf']) {
    assert.throws(() => describeEndpoint(catalog, 'GET', path), (err: unknown) => {
      assert.ok(isAppError(err), path)
      assert.equal(err.code, 'ENDPOINT_NOT_FOUND')
      assert.equal(err.statusCode, 404)
      return true
    })
  }
})

test('the vocabulary comes from the catalogue: the same document without its x- words no longer knows them', async () => {
  const document = JSON.parse(await readFile(new URL('../../openapi/hypercore-9.4.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, Record<string, unknown>>>, 'x-unsupported'?: unknown }
  const withWords = Catalog.fromDocument(structuredClone(document) as Record<string, unknown>)
  const action = withWords.byId('virDomainAction')
  assert.ok(action?.aliases?.includes('vmotion'))
  assert.equal(action?.intent, 'action')
  assert.ok(withWords.byId('patchVirDomain')?.fieldTerms?.some((f) => f.field === 'numVCPU' && f.terms.includes('processor')))
  assert.ok(withWords.unsupported.some((t) => t.terms.includes('firewall')))
  assert.deepEqual(top(searchOperations(withWords, 'vmotion').results, 1), ['POST /VirDomain/action'])

  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item)) {
      delete op['x-aliases']
      delete op['x-field-terms']
      delete op['x-intent']
    }
  }
  delete document['x-unsupported']
  const bare = Catalog.fromDocument(document as Record<string, unknown>)
  assert.equal(bare.byId('virDomainAction')?.aliases, undefined)
  assert.deepEqual(bare.unsupported, [])
  assert.equal(searchOperations(bare, 'vmotion').match, 'none')
  // Without the vocabulary it still searches summaries, descriptions and field names.
  assert.deepEqual(top(searchOperations(bare, 'power actions on VMs').results, 1), ['POST /VirDomain/action'])
})

test('the explainer (npm run bench -- search --explain) shows the words read and the ranking the search answers with', async () => {
  const catalog = await Catalog.load()
  const q = 'delete the snapshot of web-01'
  const explained = explainSearch(catalog, q, 3, true) as { words: Array<{ word: string }>, best: Array<{ op: string, match?: unknown }>, intents: string[] }
  assert.deepEqual(explained.words.map((w) => w.word), ['delete', 'snapshot', 'web01'])
  assert.deepEqual(explained.intents, ['delete'])
  assert.ok(explained.best.length <= 3 && explained.best.length > 0)
  assert.deepEqual(explained.best.map((b) => b.op)[0], top(searchOperations(catalog, q).results, 1)[0])
  assert.ok(explained.best.every((b) => b.match !== undefined))
  assert.ok((explainSearch(catalog, q).best as Array<{ match?: unknown }>).every((b) => b.match === undefined))
})

test('a change asked of a resource the API only lets one read is "none", with the reason and the nearest real operations', async () => {
  const catalog = await Catalog.load()
  for (const [q, resource, what] of [['rename a role', '/Role', 'edit'], ['delete a task from the task list', '/TaskTag', 'delete'], ['reboot a single physical node', '/Node', 'action'], ['create a new role with custom permissions', '/Role', 'create']] as const) {
    const r = searchOperations(catalog, q)
    assert.equal(r.match, 'none', q)
    assert.ok(r.results.length > 0, `${q}: the nearest operations are still shown`)
    assert.match(r.hint ?? '', new RegExp(`^${resource.replace('/', '\\/')} has no ${what} operation in this API: it can only be read \\(GET\\)`), q)
  }
  // Where another thing named can make the change, it is no refusal: the alerts go to a syslog server or a mailbox.
  for (const q of ['forward alerts to a syslog server', 'stop sending alerts to ops@example.com', 'delete a syslog target']) {
    assert.notEqual(searchOperations(catalog, q).match, 'none', q)
  }
  assert.equal(searchOperations(catalog, 'delete a snapshot').match, 'strong')
})

test('a machine\'s name is one name: hyphens and digits in it are no vocabulary, and an unknown word acted on is a name', async () => {
  const catalog = await Catalog.load()
  // "build" in the name asks for no create, "web" no web anything, and "printsrv" is a VM, not a concept.
  for (const [q, want] of [['Permanently delete the VM qa-build-0917, we have no use for it now', 'DELETE /VirDomain/{virDomainUUID}'],
    ['reboot printsrv', 'POST /VirDomain/action'], ['Gracefully power off app-web-02', 'POST /VirDomain/action']] as const) {
    const r = searchOperations(catalog, q)
    assert.equal(top(r.results, 1)[0], want, q)
    assert.notEqual(r.match, 'none', q)
  }
})

test('what asks for nothing but "it" takes its thing from the scene; what is to stay as it is does not vote', async () => {
  const catalog = await Catalog.load()
  const tz = searchOperations(catalog, 'the cluster time zone shows UTC but we are in Oslo, please fix it')
  assert.ok(['PATCH /TimeZone/{uuid}', 'POST /TimeZone/{uuid}'].includes(top(tz.results, 1)[0] ?? ''))
  assert.notEqual(tz.match, 'none')
  const disk = searchOperations(catalog, 'delete the vm\'s second disk but leave the vm itself alone')
  assert.equal(top(disk.results, 1)[0], 'DELETE /VirDomainBlockDevice/{uuid}')
})

test('strong is never an operation of another kind than the one asked: an edit is no delete', async () => {
  const catalog = await Catalog.load()
  for (const q of ['detach and delete the 10 GB scratch disk from the vm', 'remove the data disk from the vm']) {
    const r = searchOperations(catalog, q)
    const first = r.results[0]
    if (r.match === 'strong') assert.equal(first?.method, 'DELETE', q)
  }
})

test('deleting a whole record the API can only edit, or asking what only a relative clause names, is none', async () => {
  const catalog = await Catalog.load()
  const sso = searchOperations(catalog, 'delete the single sign-on configuration entirely')
  assert.equal(sso.match, 'none')
  assert.match(sso.hint ?? '', /^\/OIDCConfig has no delete operation in this API: it has only GET, POST, PATCH/)
  // The VM consoles are what the role would allow, not what is created.
  assert.equal(searchOperations(catalog, 'create a role that may only open vm consoles').match, 'none')
  // Removing a value from a setting is still an edit of it.
  assert.notEqual(searchOperations(catalog, 'remove 127.8.8.8 from the dns servers').match, 'none')
})

test('listing sessions, rolling an update back and messaging a person are things the API does not do, with the reason', async () => {
  const catalog = await Catalog.load()
  for (const [q, reason] of [['which users are currently logged in', /no list of sessions/], ['downgrade the cluster to the previous release', /Updates only go forward/],
    ['email the user telling him his vm is ready', /cannot send a message of your own/]] as const) {
    const r = searchOperations(catalog, q)
    assert.equal(r.match, 'none', q)
    assert.match(r.hint ?? '', reason, q)
  }
  // Limiting sessions is a user's field, and logging in opens one: both are answers.
  assert.notEqual(searchOperations(catalog, 'limit how many sessions a user may have open').match, 'none')
  assert.equal(top(searchOperations(catalog, 'end my current api session').results, 1)[0], 'POST /logout')
})

test('"what is the equivalent of X" and "what\'s the call on this platform?" ask for X itself, not to read', async () => {
  const catalog = await Catalog.load()
  for (const q of ['what is the hypercore equivalent of New-Snapshot in PowerCLI?', 'What is the equivalent of taking a checkpoint of a vm here?']) {
    assert.equal(top(searchOperations(catalog, q).results, 1)[0], 'POST /VirDomainSnapshot', q)
  }
})

test('contractions are read as their words: "I\'ll" is no illness and "we\'ll" no well', async () => {
  const catalog = await Catalog.load()
  const words = (explainSearch(catalog, "I'll resize it later, we'll see; for now we're only listing the vms") as { words: Array<{ word: string }> }).words.map((w) => w.word)
  for (const w of ['ill', 'well', 'were']) assert.ok(!words.includes(w), `${w} in ${words.join(' ')}`)
})

test('"I would run <command>" makes the quoted command the request (a cmdlet\'s verb says what to do)', async () => {
  const catalog = await Catalog.load()
  const r = searchOperations(catalog, 'In Hyper-V we would run Set-VMNetworkAdapter -VMName db02 -MacAddressSpoofing On; what is the way here?')
  assert.ok(['PATCH /VirDomainNetDevice/{uuid}', 'POST /VirDomainNetDevice/{uuid}'].includes(top(r.results, 1)[0] ?? ''), top(r.results, 3).join(', '))
})

test('getting a file onto the cluster is uploading it', async () => {
  const catalog = await Catalog.load()
  assert.equal(top(searchOperations(catalog, 'how can I get the debian 12 netinst iso onto our cluster').results, 1)[0], 'POST /ISO')
})

test('what the request says not to touch does not vote, but a wished-for state and "instead of" keep their words', async () => {
  const catalog = await Catalog.load()
  const words = (q: string): string[] => (explainSearch(catalog, q) as { words: Array<{ word: string }> }).words.map((w) => w.word)
  const told = words("Don't touch the syslog target or the email recipients. Change the smtp server the alerts go out through")
  for (const w of ['syslog', 'target', 'recipients']) assert.ok(!told.includes(w), `${w} in ${told.join(' ')}`)
  assert.ok(words("I'm not cloning the database vm, just snapshot it").every((w) => w !== 'database'))
  // "the user should not have admin" asks for that state; "instead of deleting the vm, stop it" still acts on the VM.
  assert.ok(words("I want that the user marco doesn't have the admin role anymore").includes('admin'))
  assert.ok(words('instead of deleting the test vm, shut it down').includes('vm'))
  const r = searchOperations(catalog, "Leave the email recipients as they are and don't touch the syslog target; point the alert mail at a new smtp relay")
  assert.ok(['PATCH /AlertSMTPConfig/{uuid}', 'POST /AlertSMTPConfig/{uuid}', 'POST /AlertSMTPConfig'].includes(top(r.results, 1)[0] ?? ''), top(r.results, 3).join(', '))
})

test('a story\'s turns ("this time", "like last time") are no time setting, and "came back up" is no backup', async () => {
  const catalog = await Catalog.load()
  const words = (q: string): string[] => (explainSearch(catalog, q) as { words: Array<{ word: string }> }).words.map((w) => w.word)
  assert.ok(!words('like last time, this time shut the build vm down').includes('time'))
  assert.ok(!words('which vms came back up after the outage').includes('backup'))
  assert.equal(top(searchOperations(catalog, 'after the power cut, which vms came back up and which are still off?').results, 1)[0], 'GET /VirDomain')
})

test('"I want to know whether..." asks a question; "I only want the X to do Y" asks to change X', async () => {
  const catalog = await Catalog.load()
  const asked = explainSearch(catalog, 'I want to know whether the nodes of the cluster are online') as { intents: string[], question: boolean }
  assert.deepEqual([asked.question, asked.intents], [true, ['read']])
  const r = searchOperations(catalog, 'The old collector is retired. I only want the monitoring configuration to send to the new collector.')
  assert.ok(['PATCH /MonitoringConfig/{uuid}', 'POST /MonitoringConfig/{uuid}'].includes(top(r.results, 1)[0] ?? ''), top(r.results, 3).join(', '))
})

test('however long the story, the scene never outweighs the request, and a weekday in it asks for no schedule', async () => {
  const catalog = await Catalog.load()
  const q = 'We moved the whole office to the new building on Friday, the movers broke two monitors and the network team rewired the racks over the weekend. Change the password of the account jdoe.'
  const r = searchOperations(catalog, q)
  assert.notEqual(r.match, 'none')
  assert.equal(top(r.results, 1)[0], 'PATCH /User/{uuid}')
})

test('a VM brought into the cluster from elsewhere is imported', async () => {
  const catalog = await Catalog.load()
  const r = searchOperations(catalog, 'I need it brought into our cluster as a new vm')
  assert.deepEqual([r.match, top(r.results, 1)[0]], ['strong', 'POST /VirDomain/import'])
})

test('the verb decides: "stop sending alerts to X" removes a recipient, "replace X with Y" edits X, "detach and delete" deletes', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'stop forwarding alerts to the old helpdesk mailbox'), 'DELETE /AlertEmailTarget/{uuid}')
  assert.ok(['PATCH /DNSConfig/{uuid}', 'POST /DNSConfig/{uuid}'].includes(firstOf(catalog, 'replace the dns server the cluster uses (127.0.0.2) with ns1.example.com')))
  const words = (explainSearch(catalog, 'unplug and delete the second disk of web-02') as { intents: string[] }).intents
  assert.deepEqual(words, ['delete'])
  assert.ok(!firstOf(catalog, 'detach and delete the spare disk from build-7').startsWith('PATCH'))
})

test('"what call gives me X" asks for X; "which host is sqlprod-7 on" reads the VM that runs there', async () => {
  const catalog = await Catalog.load()
  assert.equal(top(searchOperations(catalog, 'which endpoint returns the hosts of this cluster?').results, 1)[0], 'GET /Node')
  for (const q of ['which node is sqlprod-7 on right now?', 'where is exchange-dag2 running', 'what host does dc01 run on']) {
    assert.equal(top(searchOperations(catalog, q).results, 1)[0], 'GET /VirDomain', q)
  }
})

test('a machine named at the start of a sentence, or after "on", is its subject; "do a reset" is an order, not a question', async () => {
  const catalog = await Catalog.load()
  const read = (q: string): { words: Array<{ word: string }>, question: boolean, intents: string[] } => explainSearch(catalog, q) as { words: Array<{ word: string }>, question: boolean, intents: string[] }
  assert.ok(read('move the swap disk on legacy-app to the fast tier').words.some((w) => w.word === 'legacyapp'))
  const reset = read('build-box-2 is stuck again, do a hard reset on it')
  assert.equal(reset.question, false)
  assert.equal(top(searchOperations(catalog, 'build-box-2 is stuck again, do a hard reset on it').results, 1)[0], 'POST /VirDomain/action')
  assert.equal(top(searchOperations(catalog, 'db-07 is on which host right now?').results, 1)[0], 'GET /VirDomain')
})

test('non-native forms: "I need delete X", "the schedule what nobody uses", "name is X"', async () => {
  const catalog = await Catalog.load()
  const r = searchOperations(catalog, 'I need delete the snapshot schedule what nobody use anymore, name is hourly-test.')
  assert.equal(top(r.results, 1)[0], 'DELETE /VirDomainSnapshotSchedule/{uuid}')
  assert.deepEqual((explainSearch(catalog, 'I need delete the snapshot schedule what nobody use anymore, name is hourly-test.') as { intents: string[] }).intents, ['delete'])
})

test('a terse noun-then-verb query ("snapshot list", "schedule delete") takes the verb second', async () => {
  const catalog = await Catalog.load()
  assert.equal(top(searchOperations(catalog, 'snapshot list for web-02').results, 1)[0], 'GET /VirDomainSnapshot')
  assert.equal(top(searchOperations(catalog, 'schedule list').results, 1)[0], 'GET /VirDomainSnapshotSchedule')
})

test('a field moved "onto" a value is set, a setup owned is its settings, and an operation that does just what is asked is no neighbour', async () => {
  const catalog = await Catalog.load()
  const nic = answerOf(catalog, 'move the second nic of app-03 onto vlan 40')
  assert.equal(nic.first, 'PATCH /VirDomainNetDevice/{uuid}')
  assert.notEqual(nic.match, 'none')
  // "server" alone would name a node, which cannot be edited; the time server can.
  const time = answerOf(catalog, "point the cluster's time server at pool.ntp.org")
  assert.equal(time.first, 'PATCH /TimeSource/{uuid}')
  assert.notEqual(time.match, 'none')
  assert.equal(answerOf(catalog, 'change the client secret in our SSO setup').first, 'PATCH /OIDCConfig/{uuid}')
  assert.equal(answerOf(catalog, 'rotate the password of the admin user').first, 'PATCH /User/{uuid}')
})

test('non-native and command-line forms: "giving me list", "how I close", "the output of qm list"; "start a new X" creates X', async () => {
  const catalog = await Catalog.load()
  for (const [q, want] of [['can you giving me list of the nodes', 'GET /Node'], ['print the output of qm list', 'GET /VirDomain'],
    ['how I close my session when I am done so it does not stay logged in', 'POST /logout'],
    ['start a new snapshot schedule named hourly-keep that runs every hour', 'POST /VirDomainSnapshotSchedule']]) {
    const got = answerOf(catalog, q as string)
    assert.equal(got.first, want, q)
    assert.notEqual(got.match, 'none', q)
  }
  // A name that starts like a recurrence is still one name.
  const named = explainSearch(catalog, 'create a snapshot schedule called nightly-7d') as { words: Array<{ word: string }> }
  assert.ok(named.words.some((w) => w.word === 'nightly7d'))
})

test('a host name or address added to something edits that thing; a mailbox added to the recipients is a new one', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, "add 127.0.0.53 to the cluster's dns servers"), 'PATCH /DNSConfig/{uuid}')
  assert.equal(firstOf(catalog, 'append lab.example.org to the dns search domains'), 'PATCH /DNSConfig/{uuid}')
  assert.equal(firstOf(catalog, 'add ops@example.com to the people who get alert emails'), 'POST /AlertEmailTarget')
})

test('"don\'t X anymore" as an order is to stop X; said as a reason it asks nothing', async () => {
  const catalog = await Catalog.load()
  const s = searchOperations(catalog, "please don't snapshot the tmp disk of build-9 anymore")
  assert.notEqual(s.match, 'none')
  assert.equal(top(searchOperations(catalog, "Don't include the swap disk of db-3 in snapshots any longer.").results, 1)[0], 'PATCH /VirDomainBlockDevice/{uuid}')
  assert.equal(top(searchOperations(catalog, "don't send alerts to ops@example.com anymore").results, 1)[0], 'DELETE /AlertEmailTarget/{uuid}')
  assert.equal(top(searchOperations(catalog, 'remove the old rescue iso, we dont need it anymore').results, 1)[0], 'DELETE /ISO/{uuid}')
})

test('a second noun phrase with its own verb is a relative clause; one more of a thing is made, whatever the verb', async () => {
  const catalog = await Catalog.load()
  assert.equal(top(searchOperations(catalog, 'list the ipv6 addresses the guests are showing on their network adapters').results, 1)[0], 'GET /VirDomainNetDevice')
  assert.equal(top(searchOperations(catalog, 'list the disks the vms are booting from').results, 1)[0], 'GET /VirDomainBlockDevice')
  assert.equal(top(searchOperations(catalog, 'plug a third network adapter into web-03').results, 1)[0], 'POST /VirDomainNetDevice')
  assert.equal(top(searchOperations(catalog, 'give web-03 another nic on vlan 12').results, 1)[0], 'POST /VirDomainNetDevice')
  // More of a quantity is no new thing.
  assert.equal(top(searchOperations(catalog, 'give the vm an extra 4 GB of memory').results, 1)[0], 'PATCH /VirDomain/{virDomainUUID}')
})

test('a remote cluster connection is its own record, which this API only reads: creating one is none, with the reason', async () => {
  const catalog = await Catalog.load()
  const made = searchOperations(catalog, 'add a remote cluster connection')
  assert.equal(made.match, 'none')
  assert.match(made.hint ?? '', /RemoteClusterConnection has no create operation/)
  assert.equal(top(searchOperations(catalog, 'is the replication link to the DR cluster up?').results, 1)[0], 'GET /RemoteClusterConnection')
})

test('a value in single quotes is what to set, and editing a snapshot (which this API cannot) is none with the reason', async () => {
  const catalog = await Catalog.load()
  // 'new web server' is the value written, not a request to create anything.
  assert.equal(top(searchOperations(catalog, "change the description of web-01 from 'old' to 'new web server'").results, 1)[0], 'PATCH /VirDomain/{virDomainUUID}')
  for (const q of ["rename the snapshot 'pre-patch' of mail-02 to 'pre-march'", "set the label on the newest snapshot of web-9 to 'golden'"]) {
    const r = searchOperations(catalog, q)
    assert.equal(r.match, 'none', q)
    assert.match(r.hint ?? '', /VirDomainSnapshot has no edit operation/, q)
  }
  // The schedule of snapshots can be edited: "snapshot" there only says which schedule.
  assert.equal(top(searchOperations(catalog, "rename the snapshot schedule 'nightly' to 'nightly-7d'").results, 1)[0], 'PATCH /VirDomainSnapshotSchedule/{uuid}')
})

test('deleting a whole configuration the API keeps is none; removing a value from a configuration edits it, never deletes it', async () => {
  const catalog = await Catalog.load()
  const sso = searchOperations(catalog, 'delete the single sign-on configuration, we only use local accounts now')
  assert.equal(sso.match, 'none')
  assert.match(sso.hint ?? '', /OIDCConfig has no delete operation/)
  const dns = searchOperations(catalog, 'remove the second dns server from the dns config')
  assert.equal(top(dns.results, 1)[0], 'PATCH /DNSConfig/{uuid}')
  // A recipient is its own record: removing one from the list deletes it.
  assert.equal(top(searchOperations(catalog, 'remove bob@example.com from the alert email list').results, 1)[0], 'DELETE /AlertEmailTarget/{uuid}')
})

test('the verb of a which-question names no operation; who something is given to owns nothing asked for', async () => {
  const catalog = await Catalog.load()
  assert.equal(top(searchOperations(catalog, "which mailboxes get the cluster's alert emails").results, 1)[0], 'GET /AlertEmailTarget')
  assert.equal(top(searchOperations(catalog, 'which permissions can I grant to an account').results, 1)[0], 'GET /Role')
})

test('a disk on, of or from a machine is that VM\'s disk, not an uploaded disk image', async () => {
  const catalog = await Catalog.load()
  assert.equal(top(searchOperations(catalog, 'delete the old scratch disk of build-4').results, 1)[0], 'DELETE /VirDomainBlockDevice/{uuid}')
  assert.equal(top(searchOperations(catalog, 'destroy the 20 GB swap disk on legacy-db').results, 1)[0], 'DELETE /VirDomainBlockDevice/{uuid}')
  // An uploaded image named as such is still the library's.
  assert.equal(top(searchOperations(catalog, 'delete the uploaded qcow2 image').results, 1)[0], 'DELETE /VirtualDisk/{uuid}')
  const index = getIndex(catalog)
  const ofVm = (path: string): boolean => index.ofVm[catalog.operations.findIndex((op) => op.path === path)] === true
  assert.ok(ofVm('/VirDomainBlockDevice/{uuid}') && ofVm('/VirDomainStats/{virDomainUUID}') && !ofVm('/VirtualDisk/{uuid}') && !ofVm('/Node'))
})

test('a story\'s turns: an infinitive after an aside is what is asked, ", is still valid" states, "letting X" says how, and a word said twice counts where it asks', async () => {
  const catalog = await Catalog.load()
  const copy = answerOf(catalog, 'my boss asked me, and I am not sure how, to make a copy of the payroll server for testing')
  assert.equal(copy.first, 'POST /VirDomain/{virDomainUUID}/clone')
  assert.notEqual(copy.match, 'none')
  assert.equal((explainSearch(catalog, 'The old one, hd@example.com, is still valid for now.') as { question: boolean }).question, false)
  assert.equal(answerOf(catalog, 'I need the whole cluster shut down cleanly, letting the VMs stop gracefully first.').first, 'POST /Cluster/shutdown')
  assert.notEqual(answerOf(catalog, 'For the new VM I want that cloud-init set the hostname, please create vm edge-07.').match, 'none')
  // An e-mail address is a mailbox: adding one adds a recipient.
  assert.equal(answerOf(catalog, 'add noc@example.org as another person who gets the alert emails').first, 'POST /AlertEmailTarget')
})

test('what is done while creating a thing is part of creating it; a text message and a move to Azure are things the API lacks', async () => {
  const catalog = await Catalog.load()
  assert.equal(top(searchOperations(catalog, 'give it cloud-init user data when creating the new ubuntu vm').results, 1)[0], 'POST /VirDomain')
  const text = searchOperations(catalog, 'text me when a drive fails')
  assert.equal(text.match, 'none')
  assert.match(text.hint ?? '', /only by email/)
  const azure = searchOperations(catalog, 'move the web vm to microsoft azure')
  assert.equal(azure.match, 'none')
  assert.match(azure.hint ?? '', /public clouds/)
  // Azure AD is still a way to sign in.
  assert.equal(top(searchOperations(catalog, 'set up sso with azure ad').results, 1)[0], 'POST /OIDCConfig')
})

test('on another tool\'s command line the unknown words are arguments (names), and its subcommand is the verb', async () => {
  const catalog = await Catalog.load()
  const clone = searchOperations(catalog, 'acli vm.clone stagingvm clone_from_vm=template-rhel9')
  assert.equal(top(clone.results, 1)[0], 'POST /VirDomain/{virDomainUUID}/clone')
  assert.notEqual(clone.match, 'none')
  assert.equal(top(searchOperations(catalog, 'virsh undefine old-builder --remove-all-storage').results, 1)[0], 'DELETE /VirDomain/{virDomainUUID}')
  assert.equal(top(searchOperations(catalog, 'qm snapshot 101 pre-patch').results, 1)[0], 'POST /VirDomainSnapshot')
  assert.equal(top(searchOperations(catalog, 'virsh list --all').results, 1)[0], 'GET /VirDomain')
})

test('what "should be done" to a thing is asked for; "starts Friday" goes on telling; getting an account ready sets one up', async () => {
  const catalog = await Catalog.load()
  const iso = searchOperations(catalog, 'the iso named rescue-old.iso needs to be removed')
  assert.equal(top(iso.results, 1)[0], 'DELETE /ISO/{uuid}')
  assert.deepEqual((explainSearch(catalog, 'the iso named rescue-old.iso needs to be removed') as { intents: string[] }).intents, ['delete'])
  const user = searchOperations(catalog, 'A contractor, Sam Lee, starts Friday. Please get an account ready for him.')
  assert.equal(top(user.results, 1)[0], 'POST /User')
  assert.notEqual(user.match, 'none')
})

test('"switch X on" powers on only when "on" ends the phrase; "a while ago" is no while-clause; "is it done?" asks a task', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'switch the cache mode on the second disk of db-2 to none'), 'PATCH /VirDomainBlockDevice/{uuid}')
  assert.equal(firstOf(catalog, 'turn the vm web-3 on'), 'POST /VirDomain/action')
  assert.equal(firstOf(catalog, 'switch on web01'), 'POST /VirDomain/action')
  assert.equal(firstOf(catalog, 'I kicked off an export a while ago and got task tag 12 back. Is it done?'), 'GET /TaskTag')
  // Whether a job the cluster runs has finished is its task's state; a VM done booting is the VM's.
  assert.equal(firstOf(catalog, 'has the clone finished?'), 'GET /TaskTag')
  assert.equal(firstOf(catalog, 'is the vm done booting'), 'GET /VirDomain')
})

test('freezing a VM pauses it; popping or taking an ISO out of a CD drive ejects it', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'freeze web-2 for a moment'), 'POST /VirDomain/action')
  assert.equal(firstOf(catalog, 'take the iso out of the cd drive of web-1'), 'PATCH /VirDomainBlockDevice/{uuid}')
  assert.equal(firstOf(catalog, 'pop the windows iso back out of the dvd drive on kiosk-4'), 'PATCH /VirDomainBlockDevice/{uuid}')
})

test('the verb decides over field words: a power action beats an edit of the same VM, a test is sent, a tag removed from a VM edits it', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'Power on db-07, it has been off since the patch window closed.'), 'POST /VirDomain/action')
  assert.equal(firstOf(catalog, 'send a test message to the alert email recipient'), 'POST /AlertEmailTarget/{uuid}/test')
  const tag = top(searchOperations(catalog, "remove the tag 'old' from the web vm").results, 3)
  assert.ok(['PATCH /VirDomain/{virDomainUUID}', 'POST /VirDomain/{virDomainUUID}'].includes(tag[0] ?? ''), tag.join(', '))
  assert.ok(tag.indexOf('DELETE /VirDomain/{virDomainUUID}') !== 0)
  assert.equal(firstOf(catalog, 'how i can make the vm app-9 to restart'), 'POST /VirDomain/action')
  assert.equal(firstOf(catalog, 'i want it to boot from the network first'), 'PATCH /VirDomain/{virDomainUUID}')
  assert.equal(firstOf(catalog, 'give bob an account'), 'POST /User')
})

test('more everyday turns: alarms firing are current conditions, a task cannot be cancelled, an export is brought in, a file pushed up is uploaded', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'which alarms are firing on the cluster right now'), 'GET /Condition')
  const cancel = searchOperations(catalog, 'cancel task tag 55, I started it by mistake')
  assert.equal(cancel.match, 'none')
  assert.match(cancel.hint ?? '', /TaskTag has no delete operation/)
  assert.equal(firstOf(catalog, 'the exported vm is on the share; bring it into this cluster as erp-old'), 'POST /VirDomain/import')
  assert.equal(firstOf(catalog, 'I have a raw disk image on my pc. how do i push it up to the cluster?'), 'PUT /VirtualDisk/upload')
  // A machine whose name says it is a VM is one, and what comes "included" goes with it.
  assert.equal(firstOf(catalog, 'remove test-vm-12 for good, disks included'), 'DELETE /VirDomain/{virDomainUUID}')
  // When the request only says "it", the scene's machine counts, not its story.
  assert.equal(firstOf(catalog, 'db-03 never came back after the outage; it is sitting there powered off. I just want it running again.'), 'POST /VirDomain/action')
})

test('an adjective before a known noun describes it, a state after "is" is no concept, a manner is how; "each one" is all of them', async () => {
  const catalog = await Catalog.load()
  for (const [q, want] of [['I need an exact copy of web-template-2 named web-09', 'POST /VirDomain/{virDomainUUID}/clone'],
    ['eject whatever iso is still sitting in the cd drive of lab-3', 'PATCH /VirDomainBlockDevice/{uuid}'],
    ['restart the app-4 vm the gentle way', 'POST /VirDomain/action']]) {
    const r = searchOperations(catalog, q as string)
    assert.equal(top(r.results, 1)[0], want, q)
    assert.notEqual(r.match, 'none', q)
  }
  assert.equal((explainSearch(catalog, 'which vms are there and is each one on or off') as { wantsOne: boolean }).wantsOne, false)
})

test('"throw X away" deletes, "give me every X" shows them, "what we need is X" asks for X, a thing wished to be called Y is renamed', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'throw the old rescue iso away'), 'DELETE /ISO/{uuid}')
  assert.equal(firstOf(catalog, 'give me every nic on the cluster with its vlan'), 'GET /VirDomainNetDevice')
  assert.equal(firstOf(catalog, 'What we need right now is a copy of acct-template named acct-02.'), 'POST /VirDomain/{virDomainUUID}/clone')
  assert.ok(['PATCH /VirDomain/{virDomainUUID}', 'POST /VirDomain/{virDomainUUID}'].includes(firstOf(catalog, 'we want that the vm is called web-10 from now')))
})

test('with no verb said, a participle after the noun tells a state: "hypercore version installed" is never a sure call to apply an update', async () => {
  const catalog = await Catalog.load()
  const r = searchOperations(catalog, 'hypercore version installed')
  assert.notEqual(r.match, 'strong')
  assert.ok(top(r.results, 2).includes('GET /Cluster'), top(r.results, 3).join(', '))
})

test('"patch a X" edits X (patching the cluster updates it); a recurrence with no verb sets that job up', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'patch a dns config'), 'PATCH /DNSConfig/{uuid}')
  assert.equal(firstOf(catalog, 'nightly vm snapshots at 1am'), 'POST /VirDomainSnapshotSchedule')
  // Asked about, a recurrence only describes.
  assert.equal(firstOf(catalog, 'which snapshot schedules run every night?'), 'GET /VirDomainSnapshotSchedule')
})

test('"have X do Y" is an order to do Y; a phrasal verb keeps its object; words after a purpose describe no resource', async () => {
  const catalog = await Catalog.load()
  const power = searchOperations(catalog, 'Have lab-3 power itself on every weekday at 7 am.')
  assert.equal(power.match, 'none')
  assert.deepEqual((explainSearch(catalog, 'Have lab-3 power itself on every weekday at 7 am.') as { question: boolean, intents: string[] }).question, false)
  assert.match(power.hint ?? '', /cannot be scheduled/)
  assert.equal(top(searchOperations(catalog, 'shut the entire cluster down for the power work').results, 1)[0], 'POST /Cluster/shutdown')
  const label = searchOperations(catalog, 'Change the label of the snapshot pre-upgrade on db-4 to after-upgrade.')
  assert.equal(label.match, 'none')
  assert.match(label.hint ?? '', /VirDomainSnapshot has no edit operation/)
})

test('", and no VM has it mounted" goes on telling; "first I want" is a wish; what is taken off the cluster is deleted; what a VM uses is its stats', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'Someone uploaded a broken iso named old-rescue.iso, and no VM has it mounted anymore. Please get that image off the cluster.'), 'DELETE /ISO/{uuid}')
  assert.equal(firstOf(catalog, 'deregister this cluster from scale'), 'DELETE /Registration/{uuid}')
  assert.equal(firstOf(catalog, 'first I just want to see how much cpu the db-2 vm has been using'), 'GET /VirDomainStats')
  assert.equal((explainSearch(catalog, 'first I want to see the nodes') as { question: boolean, intents: string[] }).intents.join(), 'read')
})

test('a past tense after "since" goes on telling; what a thing "should do" is asked; "nobody should X" refuses X', async () => {
  const catalog = await Catalog.load()
  const smtp = answerOf(catalog, 'The relay has since moved to 127.0.0.9 and needs no password now. Update the outgoing alert mail server settings to match.')
  assert.ok(['PATCH /AlertSMTPConfig/{uuid}', 'POST /AlertSMTPConfig/{uuid}'].includes(smtp.first), smtp.first)
  assert.notEqual(smtp.match, 'none')
  const down = answerOf(catalog, 'The building loses power on Friday. The whole cluster, every node, should shut down in one step.')
  assert.equal(down.first, 'POST /Cluster/shutdown')
  assert.notEqual(down.match, 'none')
  const list = answerOf(catalog, 'The auditors ask about retention; nobody should delete snapshots. What I need is every snapshot with its label.')
  assert.equal(list.first, 'GET /VirDomainSnapshot')
  assert.notEqual(list.match, 'none')
})

test('an SSO login is the SSO setup; to receive the alerts is to be a recipient; a thing that needs one more of something gets it', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'Set up OpenID Connect login with client id hc3'), 'POST /OIDCConfig')
  assert.equal(firstOf(catalog, 'Is it possible that we also receive the cluster alerts on ops@example.org?'), 'POST /AlertEmailTarget')
  assert.equal(firstOf(catalog, 'app-9 needs a second network adapter on vlan 12'), 'POST /VirDomainNetDevice')
  // Which addresses get the alerts is still a question about the recipients.
  assert.equal(firstOf(catalog, 'which addresses get the alerts?'), 'GET /AlertEmailTarget')
})

test('a resource that answers to the thing named beats one that only holds the word: a new disk is a VM disk, an uploaded image is not', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'Attach an extra 50 GB virtio disk to app-02.'), 'POST /VirDomainBlockDevice')
  assert.equal(firstOf(catalog, 'list all virtual disks of every vm'), 'GET /VirDomainBlockDevice')
  assert.equal(firstOf(catalog, 'attach the uploaded ubuntu image to vm web-1'), 'POST /VirtualDisk/{uuid}/attach')
})

test('an uploaded disk is a library disk image: it cannot be renamed, and deleting one deletes the image', async () => {
  const catalog = await Catalog.load()
  const rename = searchOperations(catalog, "rename the uploaded disk 'centos-base.qcow2' to 'centos-golden'")
  assert.equal(rename.match, 'none')
  assert.match(rename.hint ?? '', /VirtualDisk has no edit operation/)
  assert.equal(top(searchOperations(catalog, 'delete the uploaded virtual disk old-win.vhdx').results, 1)[0], 'DELETE /VirtualDisk/{uuid}')
})

test('a schedule given to a VM is set on the VM; the schedule itself does not change', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'assign the weekly snapshot schedule to the mail vm'), 'PATCH /VirDomain/{virDomainUUID}')
  assert.equal(firstOf(catalog, "hook the existing 'hourly' schedule up to db-09"), 'PATCH /VirDomain/{virDomainUUID}')
  assert.equal(firstOf(catalog, 'change the retention of the weekly snapshot schedule to 14 days'), 'PATCH /VirDomainSnapshotSchedule/{uuid}')
})

test('one disk taken from a snapshot is restored from it; a drive letter ends no clause', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, "grab the E: drive out of monday's snapshot of files-2 and attach it to the vm"), 'POST /VirDomainBlockDevice/{uuid}/clone')
  assert.equal(firstOf(catalog, 'get the data disk back from the snapshot of db-3'), 'POST /VirDomainBlockDevice/{uuid}/clone')
})

test('", which I would rather not do" is no question; reordering what a VM boots from is its boot order; the scene names nothing the request names itself', async () => {
  const catalog = await Catalog.load()
  const q = 'Someone suggested rebuilding kiosk-7, which I would rather not do. It boots from the CD every time. Put the disk ahead of the CD-ROM in its boot sequence.'
  assert.equal(top(searchOperations(catalog, q).results, 1)[0], 'PATCH /VirDomain/{virDomainUUID}')
  assert.equal((explainSearch(catalog, 'we could rebuild it, which I would rather not do') as { question: boolean }).question, false)
  // "by setting X" is the means, and the means is what is to be done.
  assert.ok((explainSearch(catalog, 'lock jdoe out by setting a new password') as { intents: string[] }).intents.includes('change'))
})

test('a mailbox that should stop getting the alerts is a recipient to remove; what someone asked for is the request; a VM that lives on a node is the VM', async () => {
  const catalog = await Catalog.load()
  assert.equal(firstOf(catalog, 'noc@example.org should not get alert emails any more'), 'DELETE /AlertEmailTarget/{uuid}')
  assert.equal(firstOf(catalog, 'bob@example.com no longer needs the alert emails'), 'DELETE /AlertEmailTarget/{uuid}')
  const copy = searchOperations(catalog, 'The audit team asked for a copy of hr-prod for testing; call it hr-test and keep the original running.')
  assert.equal(top(copy.results, 1)[0], 'POST /VirDomain/{virDomainUUID}/clone')
  assert.notEqual(copy.match, 'none')
  assert.equal(firstOf(catalog, 'could you tell me which node mail-01 lives on right now?'), 'GET /VirDomain')
  assert.equal(firstOf(catalog, 'I want to see all snapshots older than a month'), 'GET /VirDomainSnapshot')
  assert.equal(firstOf(catalog, "we're decommissioning lab-old-4, please remove it and its disks completely"), 'DELETE /VirDomain/{virDomainUUID}')
})
