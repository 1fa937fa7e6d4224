import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { mcpSetup, person, TOKEN, NAME, v1HttpClient, v2Client, valueOf, type McpSetup, type McpTestClient, type Person, type Who } from './mcp-helper.js'
import {
  assertUnknownTool, checkAccepted, checkConfinedPath, checkDeclined, checkFallback, checkProgress, checkQueryAndRun, checkResourcesAndPrompt,
  checkToolList, listVms, openApiTools, type DestructiveChecks, type OpenApiTool, type Vm
} from './scenarios.js'

/** The SDK clients every behaviour is checked with over Streamable HTTP. */
const CLIENTS: Array<{ label: string, version: string, connect: (t: TestContext, url: URL, token: string, who?: Person) => Promise<McpTestClient> }> = [
  { label: 'v2 client, 2026-07-28', version: '2026-07-28', connect: async (t, url, token, who) => await v2Client(t, url, { token, person: who }) },
  { label: 'v1 client, 2025-11-25', version: '2025-11-25', connect: async (t, url, token, who) => await v1HttpClient(t, url, { token, person: who }) },
  { label: 'v2 client on its default 2025-11-25', version: '2025-11-25', connect: async (t, url, token, who) => await v2Client(t, url, { token, person: who, legacy: true }) }
]

async function openApiFor (s: McpSetup, who: Who): Promise<OpenApiTool[]> {
  const res = await s.app.inject({ method: 'GET', url: '/openapi.json', headers: { authorization: `Bearer ${TOKEN[who]}` } })
  return openApiTools(res.json())
}

function destructive (s: McpSetup, extra: Partial<DestructiveChecks> = {}): DestructiveChecks {
  return { finish: () => { s.clock.advance(60_000) }, audit: async () => s.audit.entries, caller: NAME.operator, transport: 'mcp', ...extra }
}

function running (vms: Vm[], n: number): Vm[] {
  const on = vms.filter((v) => v.state === 'RUNNING')
  assert.ok(on.length >= n, `at least ${n} running VMs: ${JSON.stringify(vms)}`)
  return on.slice(0, n)
}

for (const kind of CLIENTS) {
  test(`${kind.label}: lists the caller's tools, calls query_api and run_api, reads a resource and gets the prompt`, async (t) => {
    const s = await mcpSetup(t)
    const client = await kind.connect(t, s.url, TOKEN.operator)
    assert.equal(client.version, kind.version)
    await checkToolList(client, await openApiFor(s, 'operator'))
    await checkQueryAndRun(client)
    await checkResourcesAndPrompt(client)
    await checkConfinedPath(client)
  })

  test(`${kind.label}: calling a tool TOOLSETS leaves out, or one that does not exist, is the JSON-RPC error -32602`, async (t) => {
    const s = await mcpSetup(t, { TOOLSETS: 'vm' })
    const client = await kind.connect(t, s.url, TOKEN.operator)
    assert.ok(!(await client.listTools()).some((tool) => tool.name === 'run_api'))
    await assertUnknownTool(client, 'run_api')
    await assertUnknownTool(client, 'no_such_tool')
    assert.ok(valueOf(await client.callTool('list_vms', {})).total > 0, 'a published tool still answers')
  })

  test(`${kind.label}: the tool list follows the caller's role as openapi.json does`, async (t) => {
    const s = await mcpSetup(t)
    for (const who of ['reader', 'admin'] as const) await checkToolList(await kind.connect(t, s.url, TOKEN[who]), await openApiFor(s, who))
    const runApi = (await (await kind.connect(t, s.url, TOKEN.reader)).listTools()).find((tool) => tool.name === 'run_api')
    assert.deepEqual((runApi?.inputSchema as any).properties.method.enum, ['GET'])
  })

  test(`${kind.label}: a waited action sends the task's progress`, async (t) => {
    const s = await mcpSetup(t)
    const client = await kind.connect(t, s.url, TOKEN.operator)
    const [vm] = await listVms(client)
    assert.ok(vm !== undefined)
    await checkProgress(client, vm, () => { s.clock.advance(60_000) })
  })

  test(`${kind.label}: a destructive call asks the person; accept runs it, decline and cancel are audited and change nothing`, async (t) => {
    const s = await mcpSetup(t)
    const who = person({ action: 'accept', content: { decision: 'run' } }, { action: 'decline' }, { action: 'cancel' }, { action: 'accept', content: { decision: 'do not run' } })
    const client = await kind.connect(t, s.url, TOKEN.operator, who)
    const [a, b, c, d] = running(await listVms(client), 4) as [Vm, Vm, Vm, Vm]
    await checkAccepted(client, a, destructive(s, { person: who }))
    await checkDeclined(client, b, destructive(s, { person: who }), 'declined')
    await checkDeclined(client, c, destructive(s, { person: who }), 'cancelled')
    // Accepting the form but choosing "do not run" is a no.
    await checkDeclined(client, d, destructive(s, { person: who }), 'declined')
    assert.equal(who.answers.length, 0)
  })

  test(`${kind.label}: a client that cannot ask gets CONFIRMATION_REQUIRED with a token, as over HTTP`, async (t) => {
    const s = await mcpSetup(t)
    const client = await kind.connect(t, s.url, TOKEN.operator)
    const [vm] = running(await listVms(client), 1) as [Vm]
    await checkFallback(client, vm, destructive(s))
  })

  test(`${kind.label}: cancelling a waited call stops the wait; the cluster task goes on`, { timeout: 60_000 }, async (t) => {
    const s = await mcpSetup(t)
    const client = await kind.connect(t, s.url, TOKEN.operator)
    const [vm] = await listVms(client)
    assert.ok(vm !== undefined)
    const stop = new AbortController()
    // A wait far longer than the test's timeout: only the cancellation can end it in time.
    const call = client.callTool('run_api', { query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: vm.uuid, label: 'mcp-cancel' }, wait: 600 }, {
      signal: stop.signal,
      onprogress (p) { if (p.total === 100) stop.abort() }
    })
    await assert.rejects(call, /abort/i)
    const decision = await s.audit.waitFor((e) => e.phase === 'decision' && JSON.stringify(e.payload ?? '').includes('mcp-cancel'))
    const result = await s.audit.waitFor((e) => e.phase === 'result' && e.id === decision.id)
    assert.equal(result.status, 200)
    const task = valueOf(await client.callTool('run_api', { query: `/TaskTag/${result.taskTag ?? ''}` }))
    assert.notEqual(task.data[0].state, 'COMPLETE', 'the task was not waited out')
  })
}
