import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { test, type TestContext } from 'node:test'
import { Client as V2Client } from '@modelcontextprotocol/client'
import { StdioClientTransport as V2Stdio } from '@modelcontextprotocol/client/stdio'
import { StdioClientTransport as V1Stdio } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { AuditEntry } from '../../src/gate/audit.js'
import { stdioCaller } from '../../src/faces/mcp-stdio.js'
import { projectRoot } from '../../src/lib/paths.js'
import { auth, buildTestApp, scratchFile, testConfig } from '../helper.js'
import { fromV2Client, person, v1Client, type Person } from './mcp-helper.js'
import {
  checkAccepted, checkConfinedPath, checkDeclined, checkFallback, checkProgress, checkQueryAndRun, checkResourcesAndPrompt,
  checkToolList, listVms, openApiTools, type DestructiveChecks, type OpenApiTool, type Vm
} from './scenarios.js'

const COMMAND = [process.execPath, '--import', 'tsx', 'src/cli.ts', 'mcp'] as const
const USER = stdioCaller({ mcp: { stdioRole: 'operator', maxSessions: 1, maxSessionsPerCaller: 1, sessionIdleMs: 1 } }).name

/** The environment `scale-api-helper mcp` runs with: the embedded simulator, an audit file of its own. */
function childEnv (extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(SCALE_|LLM_|MCP_|AUTH_FILE|CONFIRM_)/.test(key)) env[key] = value
  }
  return { ...env, SIMULATOR_VMS: '6', LOG_LEVEL: 'warn', SCALE_AUDIT_FILE: scratchFile('stdio-audit.jsonl'), ...extra }
}

function readAudit (file: string): AuditEntry[] {
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {}
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEntry)
}

/** What openapi.json offers an operator (MCP_STDIO_ROLE's default) with the same configuration. */
async function operatorTools (t: TestContext): Promise<OpenApiTool[]> {
  const app = await buildTestApp(t, testConfig())
  return openApiTools((await app.inject({ method: 'GET', url: '/openapi.json', headers: auth })).json())
}

function checks (file: string, who?: Person): DestructiveChecks {
  return { person: who, finish () {}, audit: async () => readAudit(file), caller: USER, transport: 'stdio' }
}

function running (vms: Vm[], n: number): Vm[] {
  const on = vms.filter((v) => v.state === 'RUNNING')
  assert.ok(on.length >= n, JSON.stringify(vms))
  return on
}

test('scale-api-helper mcp over stdio, with the v2 client negotiating 2026-07-28 and asking the person', { timeout: 120_000 }, async (t) => {
  const env = childEnv()
  const who = person({ action: 'accept', content: { decision: 'run' } }, { action: 'decline' })
  const client = new V2Client({ name: 'test-v2', version: '2.0.0' }, { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } })
  client.setRequestHandler('elicitation/create', async (req) => {
    who.asked.push((req.params as { message: string }).message)
    return who.answers.shift() ?? { action: 'cancel' }
  })
  await client.connect(new V2Stdio({ command: COMMAND[0], args: COMMAND.slice(1), cwd: projectRoot(), env, stderr: 'ignore' }))
  t.after(() => client.close())
  assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28')
  const mcp = fromV2Client(client)
  await checkToolList(mcp, await operatorTools(t))
  await checkQueryAndRun(mcp)
  await checkResourcesAndPrompt(mcp)
  await checkConfinedPath(mcp)
  const [a, b] = running(await listVms(mcp), 2) as [Vm, Vm]
  await checkProgress(mcp, b, () => {})
  await checkAccepted(mcp, a, checks(env.SCALE_AUDIT_FILE as string, who))
  await checkDeclined(mcp, b, checks(env.SCALE_AUDIT_FILE as string, who), 'declined')
})

test('scale-api-helper mcp over stdio, with the v1 client (2025-11-25) that cannot ask: the CONFIRM_VIA fallback', { timeout: 120_000 }, async (t) => {
  const env = childEnv()
  const client = await v1Client(t, new V1Stdio({ command: COMMAND[0], args: COMMAND.slice(1), cwd: projectRoot(), env, stderr: 'ignore' }))
  await checkToolList(client, await operatorTools(t))
  await checkQueryAndRun(client)
  await checkResourcesAndPrompt(client)
  await checkConfinedPath(client)
  const [vm] = running(await listVms(client), 1) as [Vm]
  await checkProgress(client, vm, () => {})
  await checkFallback(client, vm, checks(env.SCALE_AUDIT_FILE as string))
})

test('stdout carries only the protocol: logs, the banner and SCALE_AUDIT_FILE=- go to stderr; stdin EOF ends the process', { timeout: 120_000 }, async () => {
  const child = spawn(COMMAND[0], COMMAND.slice(1), { cwd: projectRoot(), env: childEnv({ SCALE_AUDIT_FILE: '-', LOG_LEVEL: 'info' }), stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const answered = async (id: number): Promise<Record<string, any>> => {
    for (;;) {
      const line = stdout.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>).find((m) => m.id === id)
      if (line !== undefined) return line
      await once(child.stdout, 'data')
    }
  }
  const send = (message: unknown): void => { child.stdin.write(JSON.stringify(message) + '\n') }
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } })
  assert.equal((await answered(1)).result.protocolVersion, '2025-11-25')
  assert.ok(!stderr.includes('SIMULATED CLUSTER'), 'nothing starts before a request needs it')
  send({ jsonrpc: '2.0', method: 'notifications/initialized' })
  send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'generate_session', arguments: {} } })
  const login = await answered(2)
  assert.equal(login.result.isError, undefined, JSON.stringify(login))
  child.stdin.end()
  const [code] = await once(child, 'exit') as [number]
  assert.equal(code, 0)

  for (const line of stdout.split('\n').filter(Boolean)) assert.equal(JSON.parse(line).jsonrpc, '2.0', `stdout line is JSON-RPC: ${line}`)
  assert.match(stderr, /serving MCP on stdio/)
  assert.match(stderr, /SIMULATED CLUSTER/)
  const audit = stderr.split('\n').filter((l) => l.startsWith('{"id"')).map((l) => JSON.parse(l) as AuditEntry)
  assert.deepEqual(audit.map((e) => `${e.phase} ${e.tool} ${e.transport} ${e.caller}`), [`decision generate_session stdio ${USER}`, `result generate_session stdio ${USER}`])
})

test('scale-api-helper mcp over stdio with a simulated fleet: `cluster` on the tools, the fleet tools listed, CLUSTER_REQUIRED without it', { timeout: 120_000 }, async (t) => {
  const env = childEnv({ SIMULATOR_CLUSTERS: '3', SIMULATOR_VMS: '2' })
  const client = new V2Client({ name: 'test-v2', version: '2.0.0' }, { versionNegotiation: { mode: 'auto' } })
  await client.connect(new V2Stdio({ command: COMMAND[0], args: COMMAND.slice(1), cwd: projectRoot(), env, stderr: 'ignore' }))
  t.after(() => client.close())
  const mcp = fromV2Client(client)
  const tools = await mcp.listTools()
  for (const name of ['list_clusters', 'fleet_health', 'find_vms']) assert.ok(tools.some((x) => x.name === name), name)
  assert.ok((tools.find((x) => x.name === 'get_vm')?.inputSchema as { properties: Record<string, unknown> }).properties.cluster !== undefined)
  const listed = await mcp.callTool('list_vms', { cluster: 'store-02' })
  assert.equal(listed.isError, undefined, JSON.stringify(listed))
  assert.equal((listed.structuredContent as { total: number }).total, 2)
  const required = await mcp.callTool('list_vms', {})
  assert.equal(required.isError, true)
  assert.match(JSON.stringify(required.content), /CLUSTER_REQUIRED/)
})
