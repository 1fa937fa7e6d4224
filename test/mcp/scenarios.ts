import assert from 'node:assert/strict'
import type { AuditEntry } from '../../src/gate/audit.js'
import { operationInput } from '../contract/openapi-input.js'
import { errorOf, valueOf, type McpTestClient, type Person } from './mcp-helper.js'

/** The published view of one tool in an OpenAPI document: what MCP must publish the same. */
export interface OpenApiTool {
  name: string
  description: string
  input: unknown
  /** Published as query parameters, which cannot carry the input's example. */
  query: boolean
}

/** The tools an OpenAPI document offers, in its order. */
export function openApiTools (doc: any): OpenApiTool[] {
  return Object.values(doc.paths as Record<string, any>).map((item) => ({
    name: item.post.operationId,
    description: item.post.description,
    input: operationInput(item.post),
    query: item.post.requestBody === undefined
  }))
}

/** Lists the tools and checks them against the caller's OpenAPI view: same names in the same order, descriptions and input schemas. */
export async function checkToolList (client: McpTestClient, expected: OpenApiTool[]): Promise<void> {
  const tools = await client.listTools()
  assert.deepEqual(tools.map((t) => t.name), expected.map((t) => t.name), 'MCP tool names are the OpenAPI operationIds, one for one')
  for (const [i, tool] of tools.entries()) {
    const want = expected[i] as OpenApiTool
    assert.equal(tool.description, want.description, `${tool.name}: description`)
    const { example: _example, ...withoutExample } = tool.inputSchema as Record<string, unknown>
    assert.deepEqual(want.query ? withoutExample : tool.inputSchema, want.input, `${tool.name}: input schema`)
    assert.equal((tool.outputSchema as { type?: string } | undefined)?.type, 'object', `${tool.name}: an object outputSchema`)
    assert.deepEqual(Object.keys(tool.annotations ?? {}).sort(), ['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint'], `${tool.name}: annotations`)
  }
  const runApi = tools.find((t) => t.name === 'run_api')
  assert.deepEqual(runApi?.annotations, { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true })
}

/** A VM of the simulator, as run_api lists it. */
export interface Vm { uuid: string, name: string, state: string }

/** Every VM, through run_api. */
export async function listVms (client: McpTestClient): Promise<Vm[]> {
  const value = valueOf(await client.callTool('run_api', { query: '/VirDomain', fields: ['uuid', 'name', 'state'], maxItems: 100 }))
  return value.data as Vm[]
}

/** query_api finds the endpoint; run_api reads the cluster; both answer structuredContent and the same as text. */
export async function checkQueryAndRun (client: McpTestClient): Promise<void> {
  const found = valueOf(await client.callTool('query_api', { query: 'list all virtual machines' }))
  assert.ok(found.results.some((r: { path: string, method: string }) => r.method === 'GET' && r.path === '/VirDomain'), JSON.stringify(found.results.slice(0, 3)))
  const vms = await listVms(client)
  assert.ok(vms.length > 0)
  assert.deepEqual(Object.keys(vms[0] as object).sort(), ['name', 'state', 'uuid'])
}

/** The operation resources, their template, one read, and the explore-cluster prompt. */
export async function checkResourcesAndPrompt (client: McpTestClient): Promise<void> {
  const templates = await client.listResourceTemplates()
  assert.deepEqual(templates.map((r) => r.uriTemplate), ['hypercore://operations/{operationId}'])
  const resources = await client.listResources()
  assert.ok(resources.length > 100, `every catalog operation is listed (${resources.length})`)
  const uri = resources.find((r) => r.name === 'createVirDomainSnapshot')?.uri ?? 'hypercore://operations/createVirDomainSnapshot'
  const [content] = await client.readResource(uri)
  assert.equal(content?.mimeType, 'application/json')
  const op = JSON.parse(content?.text ?? '{}')
  assert.equal(op.operationId, 'createVirDomainSnapshot')
  assert.equal(op.method, 'POST')
  assert.ok(op.requestSchema !== undefined && !JSON.stringify(op.requestSchema).includes('$ref'), 'the schema is resolved')
  assert.ok(!(content?.text ?? '').includes('\n'), 'compact JSON')
  await assert.rejects(client.readResource('hypercore://operations/noSuchOperation'), /not found/i)
  await assert.rejects(client.readResource('hypercore://operations/%E0%A4%A'), /not found/i)
  await assert.rejects(client.readResource('hypercore://operations/a%2F..%2FgetVirDomain'), /not found/i)

  const completed = await client.completeOperationId('getvirdomainsn')
  assert.deepEqual(completed.values, ['getVirDomainSnapshot', 'getVirDomainSnapshotSchedule'])
  assert.equal(completed.hasMore, false)
  const many = await client.completeOperationId('')
  assert.ok(many.hasMore === true && many.values.length > 0 && (many.total ?? 0) > many.values.length)

  const prompt = await client.getPrompt('explore-cluster', { goal: 'snapshot every VM' })
  const text = prompt.messages[0]?.content.text ?? ''
  assert.match(text, /snapshot every VM/)
  for (const step of ['query_api', 'describe_endpoint', 'run_api', 'TaskTag']) assert.ok(text.includes(step), `the prompt teaches ${step}`)
}

/** A path outside /rest/v1 is our error as a tool result, not a protocol error; an unknown tool is the protocol error -32602. */
export async function checkConfinedPath (client: McpTestClient): Promise<void> {
  const refused = errorOf(await client.callTool('run_api', { query: '/../login' }))
  assert.equal(refused.code, 'PATH_NOT_ALLOWED')
  assert.match(refused.message, /rest\/v1/)
  await assertUnknownTool(client, 'no_such_tool')
}

/** Calling `name` is answered with the JSON-RPC error -32602 (Invalid params) naming the tool, not with a tool result. */
export async function assertUnknownTool (client: McpTestClient, name: string): Promise<void> {
  await assert.rejects(client.callTool(name, {}), (err: { code?: unknown, message?: string }) => {
    assert.equal(err.code, -32602, `a JSON-RPC Invalid params error: ${String(err.message)}`)
    assert.match(err.message ?? '', new RegExp(`Unknown tool "${name}"`))
    return true
  })
}

/**
 * A waited snapshot reports the task's progress; `finish` is called at the first report (a test clock moves the
 * task on there) and the call answers COMPLETE.
 */
export async function checkProgress (client: McpTestClient, vm: Vm, finish: () => void): Promise<void> {
  const seen: Array<{ progress: number, total?: number }> = []
  const result = await client.callTool('run_api', { query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: vm.uuid, label: 'mcp-progress' }, wait: 30 }, {
    onprogress (p) {
      // The v2 client also reports each input round without a total; the task's reports are out of 100.
      if (p.total !== 100) return
      seen.push(p)
      if (seen.length === 1) finish()
    }
  })
  const value = valueOf(result)
  assert.ok(seen.length >= 1, 'at least one progress notification')
  for (let i = 1; i < seen.length; i++) assert.ok((seen[i]?.progress ?? 0) > (seen[i - 1]?.progress ?? 0), 'progress increases')
  assert.equal(value.task.state, 'COMPLETE', JSON.stringify(value))
  assert.ok(typeof value.taskTag === 'string')
}

/** Options of the destructive-call checks. */
export interface DestructiveChecks {
  /** The client's person (undefined: the client cannot ask). */
  person?: Person
  /** Called at the first progress report of a waited call (moves a test clock). */
  finish: () => void
  /** The audit so far. */
  audit: () => Promise<AuditEntry[]>
  caller: string
  transport: 'mcp' | 'stdio'
}

/** Stops the running `vm`: asked and accepted, it runs (the VM is off afterwards), and only the run is audited. */
export async function checkAccepted (client: McpTestClient, vm: Vm, opts: DestructiveChecks): Promise<void> {
  const asked = opts.person?.asked.length ?? 0
  let first = true
  const ran = valueOf(await client.callTool('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: vm.uuid, actionType: 'STOP' }], wait: 30 }, {
    onprogress (p) {
      if (p.total === 100 && first) {
        first = false
        opts.finish()
      }
    }
  }))
  assert.equal(ran.task?.state, 'COMPLETE', JSON.stringify(ran))
  assert.equal(opts.person?.asked.length, asked + 1, 'the person was asked once')
  assert.match(opts.person?.asked.at(-1) ?? '', new RegExp(`STOP VM '${vm.name}'`))
  const after = (await listVms(client)).find((v) => v.uuid === vm.uuid)
  assert.equal(after?.state, 'SHUTOFF')
  const lines = (await opts.audit()).filter((e) => e.calls[0]?.path === '/VirDomain/action' && e.phase === 'decision' && JSON.stringify(e.payload ?? '').includes(vm.uuid))
  assert.deepEqual(lines.map((e) => `${e.decision} ${e.caller} ${e.transport}`), [`confirmed ${opts.caller} ${opts.transport}`], 'nothing was audited for the round that only asked')
  const result = (await opts.audit()).filter((e) => e.phase === 'result' && e.id === lines[0]?.id)
  assert.equal(result.length, 1)
}

/** Stops `vm`: the person declines (or dismisses), nothing happens and the audit says so. */
export async function checkDeclined (client: McpTestClient, vm: Vm, opts: DestructiveChecks, how: 'declined' | 'cancelled'): Promise<void> {
  const refused = errorOf(await client.callTool('run_api', { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: vm.uuid, actionType: 'STOP' }] }))
  assert.equal(refused.code, 'CONFIRMATION_DECLINED')
  assert.match(opts.person?.asked.at(-1) ?? '', new RegExp(`STOP VM '${vm.name}'`))
  const after = (await listVms(client)).find((v) => v.uuid === vm.uuid)
  assert.equal(after?.state, vm.state, 'the VM was not touched')
  const lines = (await opts.audit()).filter((e) => e.calls[0]?.path === '/VirDomain/action' && JSON.stringify(e.payload ?? '').includes(vm.uuid))
  assert.deepEqual(lines.map((e) => `${e.phase} ${e.decision} ${e.code ?? ''} ${e.caller} ${e.transport}`), [`decision ${how} CONFIRMATION_DECLINED ${opts.caller} ${opts.transport}`])
}

/** Stopping the running `vm` from a client that cannot ask: CONFIRMATION_REQUIRED with a token, as over HTTP; the token then runs it. */
export async function checkFallback (client: McpTestClient, vm: Vm, opts: DestructiveChecks): Promise<void> {
  const args = { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: vm.uuid, actionType: 'STOP' }] }
  const asked = errorOf(await client.callTool('run_api', args))
  assert.equal(asked.code, 'CONFIRMATION_REQUIRED')
  assert.match(asked.details.preview, new RegExp(`STOP VM '${vm.name}'`))
  assert.match(asked.details.confirmToken, /^cfm1\./)
  const ran = valueOf(await client.callTool('run_api', { ...args, confirm: asked.details.confirmToken }))
  assert.equal(ran.ok, true)
  const decisions = (await opts.audit()).filter((e) => e.phase === 'decision' && e.calls[0]?.path === '/VirDomain/action' && JSON.stringify(e.payload ?? '').includes(vm.uuid)).map((e) => e.decision)
  assert.deepEqual(decisions, ['confirmation-required', 'confirmed'])
}
