import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isAppError } from '../../src/errors/app-error.js'
import { askTools, createAskTool } from '../../src/tools/ask.js'
import type { ToolContext } from '../../src/gate/tool.js'
import { captureLogs, toolContext } from '../helper.js'
import { completion, sendJson, startFakeLlm, userMessage } from './fake-llm.js'

const KEY = 'sk-tool-K3y9Wq2Lp8Xv5Nm1'

async function context (log = captureLogs().logger): Promise<ToolContext<undefined>> {
  return await toolContext(log)
}

// The rules tool hosts hold schemas to: every node typed, no anyOf of constants, enum values named in the description.
function checkHostRules (schema: unknown, where: string): void {
  const node = schema as Record<string, unknown>
  assert.equal(typeof node.type, 'string', `${where} has a type`)
  assert.equal(node.anyOf, undefined, `${where} has no anyOf`)
  if (Array.isArray(node.enum)) {
    for (const value of node.enum) assert.ok(String(node.description).includes(`"${String(value)}"`), `${where} names "${String(value)}" in its description`)
  }
  for (const [name, sub] of Object.entries((node.properties ?? {}) as Record<string, unknown>)) checkHostRules(sub, `${where}.${name}`)
  if (node.items !== undefined) checkHostRules(node.items, `${where}[]`)
}

test('ask is a read-only catalogue tool whose schemas keep the host rules', () => {
  const tool = createAskTool(undefined)
  assert.equal(tool.name, 'ask')
  assert.equal(tool.annotations.readOnlyHint, true)
  assert.equal(tool.requiresCluster, false)
  assert.ok(tool.description.length <= 1024, `description is ${tool.description.length} characters`)
  for (const code of ['LLM_UNREACHABLE', 'LLM_TIMEOUT', 'LLM_BAD_RESPONSE', 'LLM_NOT_CONFIGURED']) assert.ok(tool.description.includes(code))
  checkHostRules(JSON.parse(JSON.stringify(tool.input)), 'input')
  checkHostRules(JSON.parse(JSON.stringify(tool.output)), 'output')
  for (const [name, prop] of Object.entries(tool.input.properties)) assert.ok((prop.description ?? '').length > 10, `input.${name} is described`)
})

test('the tool is offered only when an LLM is configured', () => {
  assert.deepEqual(askTools(undefined), [])
  assert.deepEqual(askTools({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'm', timeoutMs: 1000 }).map((t) => t.name), ['ask'])
})

test('used unconfigured, ask answers LLM_NOT_CONFIGURED (503) saying how to configure it', async () => {
  const tool = createAskTool(undefined)
  await assert.rejects(tool.handler({ question: 'how do I power on a VM' }, await context()), (err: unknown) => {
    assert.ok(isAppError(err))
    assert.equal(err.code, 'LLM_NOT_CONFIGURED')
    assert.equal(err.statusCode, 503)
    assert.match(err.message, /LLM_BASE_URL=http:\/\/127\.0\.0\.1:11434\/v1 LLM_MODEL=qwen3:4b/)
    return true
  })
})

test('ask answers {answer, sources, model, match} from the fake model, citing what it was given', async (t) => {
  const llm = await startFakeLlm(t, (_req, res) => sendJson(res, 200, completion(
    'Send POST /VirDomain/action with body [{"virDomainUUID":"<uuid>","actionType":"START"}], then poll GET /TaskTag/{taskTag}.'
  )))
  const tool = createAskTool(llm.config({ apiKey: KEY }))
  const logs = captureLogs()
  const answer = await tool.handler({ question: 'how do I power on a VM', limit: 3 }, await context(logs.logger))
  assert.equal(answer.model, 'fake-model-v1')
  assert.equal(answer.match, 'strong')
  assert.match(answer.answer, /actionType/)
  // GET /TaskTag was not among the three operations given, so it is no source.
  assert.deepEqual(answer.sources, [{ method: 'POST', path: '/VirDomain/action' }])
  const sent = userMessage(llm.requests[0])
  assert.equal(sent.split('\n\n').filter((block) => /^(GET|POST|PATCH|PUT|DELETE) \//.test(block)).length, 3)
  assert.ok(logs.text().includes('LLM answered'))
  assert.equal(logs.text().includes(KEY), false)
})

test('ask passes the model\'s failure on in our error shape, and the key stays out of it and the logs', async (t) => {
  const llm = await startFakeLlm(t, (req, res) => sendJson(res, 401, { error: { message: `bad key ${String(req.headers.authorization)}` } }))
  const tool = createAskTool(llm.config({ apiKey: KEY }))
  const logs = captureLogs()
  await assert.rejects(tool.handler({ question: 'list VMs' }, await context(logs.logger)), (err: unknown) => {
    assert.ok(isAppError(err))
    assert.equal(err.code, 'LLM_BAD_RESPONSE')
    assert.equal(JSON.stringify({ message: err.message, details: err.details }).includes(KEY), false)
    return true
  })
  assert.ok(logs.text().includes('LLM_BAD_RESPONSE'))
  assert.equal(logs.text().includes(KEY), false)
})
