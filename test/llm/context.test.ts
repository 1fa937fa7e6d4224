import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Catalog } from '../../src/catalog/catalog.js'
import { askQuestion, chatMessages, citedSources, SYSTEM_PROMPT } from '../../src/llm/ask.js'
import { LlmClient } from '../../src/llm/client.js'
import { buildAskContext, DEFAULT_CONTEXT_BUDGET, matchOf, renderOperation } from '../../src/llm/context.js'
import { completion, sendJson, startFakeLlm, userMessage } from './fake-llm.js'

const catalog = await Catalog.load()

// Question -> the operation a correct answer needs, which must be in what the model is shown.
const QUESTIONS: Array<[string, string]> = [
  ['how do I power on a VM', 'POST /VirDomain/action'],
  ['add a disk to a VM', 'POST /VirDomainBlockDevice'],
  ['take a snapshot of a VM', 'POST /VirDomainSnapshot'],
  ['list the current alerts', 'GET /Condition'],
  ['change the DNS servers', 'PATCH /DNSConfig/{uuid}'],
  ['/VirDomain', 'GET /VirDomain'],
  ['how do I rename a user account', 'PATCH /User/{uuid}'],
  ['is a task finished', 'GET /TaskTag/{taskTag}']
]

test('the model is sent the rules and, in the context, the endpoints each question needs', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => sendJson(res, 200, completion('See the context.')))
  const client = new LlmClient(llm.config())
  t.after(() => client.close())
  for (const [question, endpoint] of QUESTIONS) {
    await askQuestion(catalog, client, question)
    const sent = llm.requests.at(-1)
    assert.equal(sent?.body.messages[0].role, 'system')
    assert.equal(sent?.body.messages[0].content, SYSTEM_PROMPT)
    const user = userMessage(sent)
    assert.ok(user.includes(`\n${endpoint}\nSummary: `) || user.includes(`:\n\n${endpoint}\nSummary: `), `"${question}": ${endpoint} is in the context`)
    assert.ok(user.endsWith(`Question: ${question}`))
  }
  assert.equal(llm.requests.length, QUESTIONS.length)
})

test('an operation in the context carries its summary, required fields with their enums, and an example', () => {
  const block = renderOperation(catalog, catalog.byId('virDomainAction') as NonNullable<ReturnType<Catalog['byId']>>, false)
  const lines = block.split('\n')
  assert.equal(lines[0], 'POST /VirDomain/action')
  assert.match(block, /^Summary: Power actions on VMs/m)
  assert.match(block, /^Required body fields: \[\]\.virDomainUUID \(string\); \[\]\.actionType \(string, one of START \| SHUTDOWN \| STOP/m)
  assert.match(block, /^Example body: \[\{"virDomainUUID":"<virDomainUUID>","actionType":"START"\}\]$/m)
  const brief = renderOperation(catalog, catalog.byId('virDomainAction') as NonNullable<ReturnType<Catalog['byId']>>, true)
  assert.ok(brief.length < block.length)
  assert.match(brief, /^Required body fields: .*START/m)
  assert.doesNotMatch(brief, /^About:/m)
})

test('the context budget holds for every question and budget; operations are whole or absent, best first', () => {
  const questions = [...QUESTIONS.map(([q]) => q), 'create a VM with 4 GB of RAM and two disks', 'replicate a VM to another cluster',
    'update the cluster firmware', 'configure single sign-on with Azure', 'send alerts to my email', 'upload an ISO']
  for (const question of questions) {
    const all = buildAskContext(catalog, question, { limit: 10, budget: 1_000_000 })
    for (const budget of [0, 200, 600, 1500, 3000, DEFAULT_CONTEXT_BUDGET]) {
      const ctx = buildAskContext(catalog, question, { limit: 10, budget })
      assert.ok(ctx.text.length <= budget, `"${question}" at ${budget}: ${ctx.text.length} characters`)
      const blocks = ctx.text === '' ? [] : ctx.text.split('\n\n')
      assert.equal(blocks.length, ctx.operations.length)
      blocks.forEach((block, i) => {
        const op = ctx.operations[i]
        assert.ok(block.startsWith(`${op?.method} ${op?.path}\nSummary: ${op?.summary}`), `block ${i} is whole`)
        assert.match(block, /^Required body fields: |^Example body: |^Answer: |^Summary: /m)
      })
      // Every retrieved operation is either shown (whole or in brief) or listed as dropped; the order is the search's.
      assert.deepEqual([...ctx.operations, ...ctx.dropped].map((o) => o.path + o.method).sort(), all.operations.map((o) => o.path + o.method).sort())
      const order = all.operations.map((o) => `${o.method} ${o.path}`)
      const shown = ctx.operations.map((o) => order.indexOf(`${o.method} ${o.path}`))
      assert.deepEqual(shown, [...shown].sort((a, b) => a - b))
    }
  }
  const tight = buildAskContext(catalog, 'create a VM', { budget: 900 })
  assert.ok(tight.brief.length > 0 || tight.dropped.length > 0, 'a tight budget shortens or drops operations')
})

test('the default limit and budget: five operations, at most 6,000 characters', () => {
  const ctx = buildAskContext(catalog, 'create a VM with 4 GB of RAM')
  assert.equal(ctx.operations.length + ctx.dropped.length, 5)
  assert.ok(ctx.text.length <= 6000)
  assert.equal(buildAskContext(catalog, 'list VMs', { limit: 2 }).operations.length, 2)
})

test('sentences shared by operations of one resource are shown once', () => {
  const ctx = buildAskContext(catalog, 'list VMs', { limit: 5 })
  const opening = /VirDomain is HyperCore's name for a virtual machine/g
  assert.equal([...ctx.text.matchAll(opening)].length, 1)
})

test('nothing matches: match none, no context, and the model is not asked', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => sendJson(res, 200, completion('should not be asked')))
  const client = new LlmClient(llm.config())
  t.after(() => client.close())
  const ctx = buildAskContext(catalog, 'zzqx wubble')
  assert.equal(ctx.match, 'none')
  assert.equal(ctx.text, '')
  const seen: string[] = []
  const answer = await askQuestion(catalog, client, 'zzqx wubble', { onDelta: (text) => seen.push(text) })
  assert.equal(llm.requests.length, 0)
  assert.equal(answer.match, 'none')
  assert.deepEqual(answer.sources, [])
  assert.equal(answer.model, '')
  assert.match(answer.answer, /^The HyperCore API catalogue does not cover this question, so no model was asked\. /)
  // The search's advice follows (its first sentence at least; its remark on its own result list is dropped).
  assert.ok(answer.answer.includes((ctx.hint ?? '').split('. ')[0] as string), answer.answer)
  assert.equal(seen.join(''), answer.answer)
})

test('match: the search\'s own verdict when it gives one; a weak match is flagged to the model', () => {
  type Result = Parameters<typeof matchOf>[0]
  const hit = { method: 'GET', path: '/x', operationId: 'x', summary: '', tag: '', mutating: false }
  // A search result without `match` (as before the search said it) is judged by whether anything was found.
  assert.equal(matchOf({ results: [], total: 0 } as unknown as Result), 'none')
  assert.equal(matchOf({ results: [hit], total: 1 } as unknown as Result), 'strong')
  assert.equal(matchOf({ results: [hit], total: 1, match: 'weak' } as unknown as Result), 'weak')
  assert.equal(matchOf({ results: [hit], total: 1, match: 'none' } as unknown as Result), 'none')
  const ctx = buildAskContext(catalog, 'list VMs')
  assert.doesNotMatch(chatMessages('q', ctx)[1]?.content ?? '', /only weakly/)
  assert.match(chatMessages('q', { ...ctx, match: 'weak' })[1]?.content ?? '', /only weakly/)
})

test('sources: the given operations the answer cites, literal paths first; all of them when it cites none', () => {
  const given = [
    { method: 'POST', path: '/VirDomain/action', summary: '' },
    { method: 'POST', path: '/VirDomain/{virDomainUUID}', summary: '' },
    { method: 'GET', path: '/VirDomain/{virDomainUUID}', summary: '' },
    { method: 'GET', path: '/TaskTag/{taskTag}', summary: '' }
  ]
  assert.deepEqual(citedSources('Send `POST /rest/v1/VirDomain/action` with START, then poll GET /TaskTag/abc-123.', given), [
    { method: 'POST', path: '/VirDomain/action' }, { method: 'GET', path: '/TaskTag/{taskTag}' }
  ])
  assert.deepEqual(citedSources('Use get /virdomain/{uuid} (then POST /VirDomain/action).', given), [
    { method: 'GET', path: '/VirDomain/{virDomainUUID}' }, { method: 'POST', path: '/VirDomain/action' }
  ])
  // Endpoints not given to the model are not sources, whatever the answer says.
  assert.deepEqual(citedSources('Try DELETE /Everything.', given), given.map(({ method, path }) => ({ method, path })))
  assert.deepEqual(citedSources('The context does not cover this.', given).length, 4)
})
