import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { test, type TestContext } from 'node:test'
import { Client as V2Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import type { AuditEntry } from '../../src/gate/audit.js'
import { canonicalTarget } from '../../src/scale/canonical-path.js'
import { projectRoot } from '../../src/lib/paths.js'
import { rejection, scratchFile } from '../helper.js'
import { createSimClient, startTestSimulator } from '../simulator-helper.js'
import { errorOf, mcpSetup, TOKEN, v2Client, valueOf, type ToolResult } from '../mcp/mcp-helper.js'

// Every spelling of the one prefix, and of the prefix twice: each must be judged as its canonical form, or refused.
const ONCE = ['/REST/V1', '/Rest/V1', '/rest/V1', 'REST/v1', '/%52EST/%56%31', '/rEsT/v1']
const TWICE = ['/rest/v1/rest/v1', '/REST/V1/REST/V1', '/rest/v1/REST/V1', '/Rest/V1/rest/v1', '/rest/v1/%72est/v1', 'rest/v1/Rest/v1']

test('the prefix comes off once in any case; a second prefix, however spelt, is refused', async () => {
  for (const prefix of ONCE) {
    const target = canonicalTarget(`${prefix}/VirDomain/action?x=1`)
    assert.deepEqual(target, { path: '/VirDomain/action', search: '?x=1', upstreamPath: '/rest/v1/VirDomain/action?x=1' }, prefix)
  }
  for (const prefix of TWICE) {
    const err = await rejection(Promise.resolve().then(() => canonicalTarget(`${prefix}/VirDomain/action`)))
    assert.equal(err.code, 'PATH_NOT_ALLOWED', prefix)
    assert.match(err.message, /repeats the \/rest\/v1 prefix/)
  }
  assert.equal((await rejection(Promise.resolve().then(() => canonicalTarget('/REST/V1')))).code, 'PATH_NOT_ALLOWED')
  assert.equal((await rejection(Promise.resolve().then(() => canonicalTarget('/rest/v1/rest/v1')))).code, 'PATH_NOT_ALLOWED')
})

/** What a face gives back for one tool call: the answer, or the error code. */
type Outcome = { ok: true, value: any } | { ok: false, code: string }

interface Face {
  name: string
  call: (tool: string, args: Record<string, unknown>) => Promise<Outcome>
  audit: () => Promise<AuditEntry[]>
}

const MODES = {
  token: { env: {}, expect: 'CONFIRMATION_REQUIRED' },
  deny: { env: { CONFIRM_VIA: 'deny' }, expect: 'DESTRUCTIVE_DENIED' },
  policy: { env: { SCALE_POLICY_FILE: 'policy' }, expect: 'POLICY_DENIED' }
} as const
type Mode = keyof typeof MODES

function modeEnv (mode: Mode): Record<string, string> {
  if (mode !== 'policy') return { ...MODES[mode].env }
  const file = scratchFile('prefix-policy.yaml')
  // The same stop, named by operation and by resource: neither may be sidestepped by spelling the prefix.
  writeFileSync(file, 'deny:\n  - operationId: virDomainAction\n  - resource: User\n    method: change\n')
  return { SCALE_POLICY_FILE: file }
}

function outcomeOf (result: ToolResult): Outcome {
  return result.isError === true ? { ok: false, code: errorOf(result).code } : { ok: true, value: valueOf(result) }
}

async function httpAndMcpFaces (t: TestContext, mode: Mode): Promise<Face[]> {
  const s = await mcpSetup(t, modeEnv(mode))
  const audit = async (): Promise<AuditEntry[]> => s.audit.entries
  const http: Face = {
    name: `http/${mode}`,
    async call (tool, args) {
      const res = await s.app.inject({ method: 'POST', url: `/${tool}`, headers: { authorization: `Bearer ${TOKEN.operator}` }, payload: args })
      return res.statusCode === 200 ? { ok: true, value: res.json() } : { ok: false, code: res.json().code }
    },
    audit
  }
  const client = await v2Client(t, s.url, { token: TOKEN.operator })
  const mcp: Face = { name: `mcp/${mode}`, call: async (tool, args) => outcomeOf(await client.callTool(tool, args)), audit }
  return [http, mcp]
}

async function stdioFace (t: TestContext, mode: Mode): Promise<Face> {
  const auditFile = scratchFile('prefix-stdio-audit.jsonl')
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(SCALE_|LLM_|MCP_|AUTH_FILE|CONFIRM_)/.test(key)) env[key] = value
  }
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/cli.ts', 'mcp'],
    cwd: projectRoot(),
    env: { ...env, SIMULATOR_VMS: '4', LOG_LEVEL: 'warn', SCALE_AUDIT_FILE: auditFile, ...modeEnv(mode) },
    stderr: 'ignore'
  })
  const client = new V2Client({ name: 'prefix-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } })
  await client.connect(transport)
  t.after(() => client.close())
  return {
    name: `stdio/${mode}`,
    call: async (tool, args) => outcomeOf(await client.callTool({ name: tool, arguments: args }) as ToolResult),
    async audit () {
      // The file appears with the first audited call.
      const text = existsSync(auditFile) ? readFileSync(auditFile, 'utf8') : ''
      return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEntry)
    }
  }
}

async function checkFace (face: Face, mode: Mode): Promise<void> {
  const before = (await face.audit()).length
  const listed = await face.call('run_api', { query: '/VirDomain', fields: ['uuid', 'name', 'state'], maxItems: 50 })
  assert.ok(listed.ok, face.name)
  const vm = (listed.value.data as Array<{ uuid: string, state: string }>).find((v) => v.state === 'RUNNING')
  assert.ok(vm !== undefined, `${face.name}: a running VM`)
  const stop = [{ virDomainUUID: vm.uuid, actionType: 'STOP' }]

  for (const prefix of ONCE) {
    const got = await face.call('run_api', { query: `${prefix}/VirDomain/action`, method: 'POST', payload: stop })
    assert.deepEqual(got, { ok: false, code: MODES[mode].expect }, `${face.name} ${prefix}/VirDomain/action`)
    const user = await face.call('run_api', { query: `${prefix}/User`, method: 'POST', payload: { username: 'sneaky', password: 'x' } })
    assert.deepEqual(user, { ok: false, code: mode === 'deny' ? 'DESTRUCTIVE_DENIED' : mode === 'policy' ? 'POLICY_DENIED' : 'CONFIRMATION_REQUIRED' }, `${face.name} ${prefix}/User`)
  }
  for (const prefix of TWICE) {
    const got = await face.call('run_api', { query: `${prefix}/VirDomain/action`, method: 'POST', payload: stop })
    assert.deepEqual(got, { ok: false, code: 'PATH_NOT_ALLOWED' }, `${face.name} ${prefix}/VirDomain/action`)
  }

  // Nothing ran: the VM is still running.
  const after = await face.call('run_api', { query: `/VirDomain/${vm.uuid}`, fields: ['state'] })
  assert.ok(after.ok)
  assert.equal((after.value.data as Array<{ state: string }>)[0]?.state, 'RUNNING', face.name)

  // The audit saw the canonical path, marked destructive where the mode judged it so, and every refusal.
  const lines = (await face.audit()).slice(before).filter((e) => e.tool === 'run_api' && e.phase === 'decision')
  const stops = lines.filter((e) => e.calls.some((c) => /VirDomain\/action/i.test(c.path)))
  assert.equal(stops.length, ONCE.length, `${face.name}: ${stops.length} audited stops`)
  for (const e of stops) {
    assert.deepEqual(e.calls, [{ method: 'POST', path: '/VirDomain/action', destructive: true }], `${face.name}: ${JSON.stringify(e.calls)}`)
    assert.equal(e.code, MODES[mode].expect)
  }
  const doubled = lines.filter((e) => e.code === 'PATH_NOT_ALLOWED')
  assert.equal(doubled.length, TWICE.length, `${face.name}: every doubled prefix is an audited refusal`)
  assert.ok(lines.every((e) => e.calls.every((c) => !/^\/rest\/v1/i.test(c.path))), `${face.name}: no prefix in any audited path`)
}

for (const mode of Object.keys(MODES) as Mode[]) {
  test(`HTTP and MCP over HTTP, ${mode}: every prefix spelling is judged as /VirDomain/action or refused`, async (t) => {
    for (const face of await httpAndMcpFaces(t, mode)) await checkFace(face, mode)
  })
}

test('MCP over stdio: every prefix spelling is judged as /VirDomain/action or refused', { timeout: 120_000 }, async (t) => {
  for (const mode of ['token', 'policy'] as const) await checkFace(await stdioFace(t, mode), mode)
})

test('the simulator reads a prefix inside the prefix strictly: no such resource, whatever the case', async (t) => {
  const sim = await startTestSimulator(t)
  const client = createSimClient(t, sim)
  await client.login()
  assert.equal((await client.call('GET', '/VirDomain')).status, 200)
  for (const path of ['/REST/V1/VirDomain', '/rest/v1/VirDomain', '/Rest/v1/VirDomain', '/%72est/v1/VirDomain']) {
    const res = await client.call('GET', path)
    assert.equal(res.status, 404, `/rest/v1${path}: ${res.text}`)
  }
  // The prefix itself is routed as spelt, lower-case, as on a cluster.
  assert.equal((await client.raw('GET', '/REST/V1/VirDomain', undefined, { cookie: `sessionID=${client.sessionID ?? ''}` })).status, 404)
})
