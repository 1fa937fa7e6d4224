/*
 * Open WebUI's backend calling our tools over real HTTP, as its execute_tool_server does (ported in open-webui.ts):
 * the spec it reads from /openapi.json, the URL and body it builds from the model's arguments, the answer or
 * `{ error }` it hands back to the model. Every tool it shows with nothing required is called with no arguments
 * and with every optional argument it shows, written as a model writes them (JSON types) and sent as Open WebUI
 * sends them (Python's str(), no encoding).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TestContext } from 'node:test'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor, ManualClock } from '../../src/simulator/index.js'
import { buildTestApp, testConfig } from '../helper.js'
import { authFile, NAME, TOKEN, type Who } from '../mcp/mcp-helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { executeToolServer, openWebUiRequest, openWebUiSpecs, yarlRequoteQuery } from './open-webui.js'

type Json = Record<string, any>

/** Arguments a model would give each tool with nothing required, built from what an earlier answer showed. */
interface Case {
  args: (seen: { vm: Json }) => Json
  /** What the answer shows when the arguments arrived (`none`: the answer to the call with no arguments). */
  check: (answer: Json, seen: { vm: Json }, none: Json) => void
}

const CASES: Record<string, Case> = {
  list_vms: {
    args: ({ vm }) => ({ name: vm.name.toUpperCase(), tag: vm.tags[0], state: vm.state.toLowerCase(), node: vm.node, limit: 1 }),
    check: (a, { vm }) => assert.deepEqual(a.vms.map((r: Json) => r.uuid), [vm.uuid])
  },
  list_snapshots: {
    args: ({ vm }) => ({ vm: vm.name }),
    check: (a, { vm }, none) => {
      assert.ok(a.snapshots.every((snap: Json) => snap.vm === vm.name), JSON.stringify(a))
      assert.ok(a.total < none.total, `only ${String(vm.name)}'s snapshots: ${String(a.total)} of ${String(none.total)}`)
    }
  },
  cluster_health: { args: () => ({}), check: () => {} },
  get_session: {
    args: () => ({ verify: true }),
    check: (a) => assert.equal(a.verified, true, JSON.stringify(a))
  },
  generate_session: { args: () => ({}), check: (a) => assert.equal(a.ok, true) },
  kill_session: { args: () => ({}), check: (a) => assert.equal(a.ok, true) },
  audit_log: {
    // Only admins are shown audit_log; the calls before it (generate_session at least) are audited.
    args: () => ({ limit: 1, since: '2026-01-01T00:00:00Z', caller: NAME.admin }),
    check: (a) => {
      assert.equal(a.count, 1, JSON.stringify(a))
      assert.equal(a.entries[0].caller, NAME.admin)
    }
  }
}

/** Our app on 127.0.0.1:0 with the test callers, the simulator behind it and an audit file it can read back; its origin. */
async function serve (t: TestContext): Promise<string> {
  const sim = await startTestSimulator(t, { clock: new ManualClock(), vms: 6 })
  const cluster = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 10_000 }), { taskPollDelaysMs: [5] })
  t.after(() => cluster.close())
  const app = await buildTestApp(t, testConfig({ AUTH_FILE: authFile() }), { cluster, clusterInfo: { mode: 'simulator', cluster: cluster.host } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
}

async function openApiFor (base: string, who: Who): Promise<Json> {
  const res = await fetch(`${base}/openapi.json`, { headers: { authorization: `Bearer ${TOKEN[who]}` } })
  assert.equal(res.status, 200)
  return await res.json() as Json
}

for (const who of ['admin', 'operator', 'reader'] as const) {
  test(`Open WebUI's backend calls every tool a ${who} is shown with nothing required, with no arguments and with each optional one`, async (t) => {
    const base = await serve(t)
    const doc = await openApiFor(base, who)
    const specs = openWebUiSpecs(doc).filter((spec) => spec.parameters.required.length === 0)
    assert.ok(specs.some((spec) => spec.name === 'list_vms') && specs.some((spec) => spec.name === 'cluster_health'), specs.map((x) => x.name).join(', '))
    const first = await executeToolServer(doc, base, 'list_vms', {}, TOKEN[who]) as Json
    assert.equal(first.error, undefined, `list_vms with {}: ${String(first.error)}`)
    const vm = first.vms.find((row: Json) => row.tags.length > 0 && row.node !== '') as Json | undefined
    assert.ok(vm !== undefined, 'the simulator has a running VM with a tag')

    // Something audited before audit_log reads it back.
    if (who === 'admin') assert.equal((await executeToolServer(doc, base, 'generate_session', {}, TOKEN[who]) as Json).ok, true)

    for (const spec of specs) {
      const c = CASES[spec.name]
      assert.ok(c !== undefined, `${spec.name} needs no argument: add it to CASES with a value for each argument Open WebUI shows`)
      const empty = await executeToolServer(doc, base, spec.name, {}, TOKEN[who]) as Json
      assert.equal(empty.error, undefined, `${spec.name} with {}: ${String(empty.error)}`)

      const args = c.args({ vm })
      assert.deepEqual(Object.keys(args).sort(), Object.keys(spec.parameters.properties).sort(), `${spec.name}: one value for each argument Open WebUI shows`)
      const answer = await executeToolServer(doc, base, spec.name, args, TOKEN[who]) as Json
      assert.equal(answer.error, undefined, `${spec.name} with ${JSON.stringify(args)}: ${String(answer.error)}`)
      c.check(answer, { vm }, empty)
    }
  })
}

test('Open WebUI\'s requests: Python\'s True and None, spaces and a tool that needs nothing', async (t) => {
  const base = await serve(t)
  const doc = await openApiFor(base, 'admin')
  const sent = openWebUiRequest(doc, 'http://h', 'get_session', { verify: true, ignored: 1 }, 't')
  assert.deepEqual(sent, { method: 'POST', url: 'http://h/get_session?verify=True', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer t' }, body: '{}' })
  assert.equal(openWebUiRequest(doc, 'http://h', 'list_vms', { name: 'web 1', limit: null }).url, 'http://h/list_vms?name=web+1&limit=None')
  assert.equal(openWebUiRequest(doc, 'http://h', 'cluster_health', {}).url, 'http://h/cluster_health')
  // Tools that need an argument keep their body, and Open WebUI sends the arguments there.
  assert.equal(openWebUiRequest(doc, 'http://h', 'get_vm', { vm: 'a' }).body, '{"vm":"a"}')
  assert.throws(() => openWebUiRequest(doc, 'http://h', 'get_vm', {}), /Request body expected for operation 'get_vm' but none found\./)
  assert.equal(yarlRequoteQuery('a=b c&d=%zz%41é'), 'a=b+c&d=%25zzA%C3%A9')

  // null for an argument left out, as Python prints it, is not given.
  const none = await executeToolServer(doc, base, 'list_vms', { name: null, limit: null, state: null }, TOKEN.admin) as Json
  assert.equal(none.error, undefined, String(none.error))
  assert.equal(none.returned, none.total)
})
