import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { test, type TestContext } from 'node:test'
import { request } from 'undici'
import { projectFile } from '../../src/lib/paths.js'
import { tools } from '../../src/tools/registry.js'
import { toolSetup, TOKEN, type Who } from '../tools/setup.js'
import { ANY, docPages, examplesOf, parseShape, shapeMismatches, type DocExample } from './doc-examples.js'

// Every example of README.md and docs/*.md runs against an app in the default mode (confirm, by token) in front of
// the simulator `npm start` embeds (12 seeded VMs, 1.5 s tasks on a clock that moves only while a tool waits), in
// the order the page gives them, and its answer must have the shape the page shows after it.

const ROLE_OF: Record<string, Who> = { TOKEN: 'operator', ADMIN_TOKEN: 'admin', READER_TOKEN: 'reader', APPROVER_TOKEN: 'approver' }
// The simulator's URL the docs use (`scale-api-helper simulate --port 8443`).
const SIMULATOR_URL = 'https://127.0.0.1:8443'

/** Runs one page's examples in order against a fresh app and simulator; answers the differences found, one line each. */
async function runExamples (t: TestContext, examples: DocExample[]): Promise<string[]> {
  // The fleet page runs against the five simulated clusters it starts with SIMULATOR_CLUSTERS=5.
  const fleet = examples[0]?.file === 'docs/fleet.md' ? { fleet: 5 } : {}
  const s = await toolSetup(t, { mode: 'confirm', sim: { taskDurationMs: 1500 }, ...fleet })
  const failures: string[] = []
  let confirmToken: string | undefined
  let taskTag: string | undefined
  const fill = (text: string): string => text
    .replace(/<uuid of ([\w-]+)>/g, (_all, name: string) => s.vm(name).uuid)
    .replace(/<taskTag>/g, () => taskTag ?? '<no taskTag in an answer before>')
    .replace(/cfm1\.…/g, () => confirmToken ?? '<no confirmToken in an answer before>')
  for (const example of examples) {
    const where = `${example.file}:${example.line}`
    let status: number
    let text: string
    if (example.kind === 'call') {
      const who = ROLE_OF[example.tokenVar ?? 'TOKEN']
      if (who === undefined) {
        failures.push(`${where}: TOKEN=$${example.tokenVar ?? ''} names no test caller (use ${Object.keys(ROLE_OF).map((v) => `$${v}`).join(', ')})`)
        continue
      }
      const res = await s.app.inject({
        method: 'POST',
        url: `/${example.target}`,
        headers: { authorization: `Bearer ${TOKEN[who]}`, 'content-type': 'application/json' },
        payload: fill(example.body ?? '')
      })
      status = res.statusCode
      text = res.body
    } else {
      const url = example.target.replace(/^"|"$/g, '')
      const headers = Object.fromEntries(Object.entries(example.headers ?? {}).map(([k, v]) => [k, v.replace('$TOKEN', TOKEN.operator)]))
      if (url.startsWith('$URL/')) {
        const res = await s.app.inject({ method: example.method as 'GET', url: url.slice('$URL'.length), headers, ...(example.body === undefined ? {} : { payload: fill(example.body) }) })
        status = res.statusCode
        text = res.body
      } else if (url.startsWith(`${SIMULATOR_URL}/`)) {
        if (example.user !== undefined) headers.authorization = `Basic ${Buffer.from(example.user).toString('base64')}`
        const res = await request(`${s.sim.url}${url.slice(SIMULATOR_URL.length)}`, { method: example.method as 'GET', headers, ...(example.body === undefined ? {} : { body: example.body }) })
        status = res.statusCode
        text = await res.body.text()
      } else {
        // A real cluster's address (10.0.0.5 in the docs): nothing here can answer it.
        if (!/^https?:\/\/(10\.|[a-z0-9.-]+\.example\b)/.test(url)) failures.push(`${where}: the examples test cannot run a curl to ${url}`)
        continue
      }
    }
    let json: any
    try {
      json = JSON.parse(text)
    } catch {
      failures.push(`${where}: the answer is not JSON: ${text.slice(0, 200)}`)
      continue
    }
    if (typeof json?.details?.confirmToken === 'string') confirmToken = json.details.confirmToken
    if (typeof json?.taskTag === 'string' && json.taskTag !== '') taskTag = json.taskTag
    const { expected } = example
    const wanted = expected.status === undefined ? 'a 2xx' : String(expected.status)
    if (expected.status === undefined ? status >= 300 : status !== expected.status) {
      failures.push(`${where}: the doc shows ${wanted}${expected.code === undefined ? '' : ` ${expected.code}`}, the answer is ${status} ${text.slice(0, 300)}`)
      continue
    }
    if (expected.code !== undefined && json?.code !== expected.code) failures.push(`${where}: the doc shows ${expected.code}, the answer has ${String(json?.code)}`)
    if (expected.shape !== undefined) {
      let shown: unknown
      try {
        shown = parseShape(expected.shape)
      } catch (err) {
        failures.push(`${where}: ${(err as Error).message}`)
        continue
      }
      failures.push(...shapeMismatches(shown, json).map((m) => `${where}: ${m}`))
    }
  }
  return failures
}

const pages = docPages().map(([file, text]) => {
  try {
    return { file, examples: examplesOf(file, text) }
  } catch (err) {
    return { file, examples: [], error: err as Error }
  }
})

for (const { file, examples, error } of pages) {
  test(`${file}: every example answers what the page shows`, async (t) => {
    if (error !== undefined) throw error
    if (examples.length === 0) return
    const failures = await runExamples(t, examples)
    assert.deepEqual(failures, [], `stale examples in ${file}:\n${failures.join('\n')}`)
  })
}

test('the docs have examples of every tool a newcomer starts with, each with the answer it gives', () => {
  const calls = pages.flatMap((p) => p.examples).filter((e) => e.kind === 'call')
  const shown = new Set(calls.filter((e) => e.expected.shape !== undefined || e.expected.code !== undefined).map((e) => e.target))
  for (const tool of ['query_api', 'describe_endpoint', 'run_api', 'list_vms', 'vm_action', 'export_vm', 'audit_log']) assert.ok(shown.has(tool), `an example of ${tool} shows its answer`)
  const readme = pages.find((p) => p.file === 'README.md')
  assert.ok(readme !== undefined && readme.examples.some((e) => e.kind === 'call'), 'the README has a first call to try')
})

test('docs/tools.md lists every tool, and docs/mcp-hosts.md gives the number a host shows', () => {
  const text = new Map(docPages()).get('docs/tools.md') ?? ''
  const table = text.split('\n').filter((l) => l.startsWith('| `')).join('\n')
  for (const name of [...tools.map((tool) => tool.name), 'ask']) assert.ok(table.includes(`\`${name}\``), `${name} is in the tool table`)
  const hosts = new Map(docPages()).get('docs/mcp-hosts.md') ?? ''
  const counts = [...hosts.matchAll(/shows (\d+) tools/g)].map((m) => Number(m[1]))
  assert.ok(counts.length > 0, 'docs/mcp-hosts.md says how many tools a host shows')
  // Every tool but audit_log (admins) and ask (with an LLM) is in a toolset, and the default is every toolset; the
  // fleet tools show only on a server with several clusters.
  for (const count of counts) assert.equal(count, tools.filter((tool) => tool.name !== 'audit_log' && tool.fleetOnly !== true).length)
})

test('shapes: keys and types must match, one-word values must be equal, … stands for anything', () => {
  const answer = { match: 'strong', total: 115, results: [{ method: 'POST', confidence: 'high', mutating: true }, { method: 'GET' }], data: { a: 1 } }
  assert.deepEqual(shapeMismatches(parseShape('{"match":"strong","results":[{"method":"POST","confidence":"high"},…],"total":…,"data":{…}}'), answer), [])
  assert.equal(parseShape('{"a":…}') instanceof Object && (parseShape('{"a":…}') as { a: unknown }).a, ANY)
  assert.deepEqual(shapeMismatches(parseShape('{"note":"a … b"}'), { note: 'anything' }), [], 'a string with … only needs to be a string')
  const wrong: Array<[string, RegExp]> = [
    ['{"results":[{"score":1}]}', /\$\.results\[0\]\.score: shown in the doc, missing/],
    ['{"total":"115"}', /\$\.total: the doc shows string/],
    ['{"match":"weak"}', /\$\.match: the doc shows "weak", the answer has "strong"/],
    ['{"results":[{"mutating":false}]}', /mutating: the doc shows false/],
    ['{"results":[{},{},{}]}', /\$\.results: the doc shows 3 items, the answer has 2/]
  ]
  for (const [shape, why] of wrong) assert.match(shapeMismatches(parseShape(shape), answer).join('\n'), why, shape)
  assert.throws(() => parseShape('{"a": 1 …}'), /not JSON with …/)
})

test('a stale example fails: the answers the README showed before they were checked', async (t) => {
  const stale = [
    '```sh',
    'call query_api \'{"query":"how do I power on a VM"}\'',
    '# → {"results":[{"method":"POST","path":"/VirDomain/action","score":1,"mutating":true},…],"total":…}',
    'call export_vm \'{"vm":"dc02","target":"smb://backup:secret@nas01/vms/dc02"}\'',
    '# → {"ok":true,"taskTag":"…","task":{"state":"RUNNING",…},"notes":["The task was still RUNNING after 20 s …"]}',
    'call audit_log \'{"limit":20}\'',
    '# → {"entries":[…],"count":…}',
    'call vm_action \'{"vm":"web01","action":"STOP"}\'',
    '# → 409 ACTION_NOT_ALLOWED',
    '```'
  ].join('\n')
  const failures = (await runExamples(t, examplesOf('stale.md', stale))).join('\n')
  assert.match(failures, /stale\.md:2: \$\.results\[0\]\.score: shown in the doc, missing from the answer/)
  assert.match(failures, /stale\.md:4: \$\.task\.state: the doc shows "RUNNING", the answer has "COMPLETE"/)
  assert.match(failures, /stale\.md:4: \$\.notes: shown in the doc, missing/)
  assert.match(failures, /stale\.md:6: the doc shows 200, the answer is 403 .*FORBIDDEN/)
  assert.match(failures, /stale\.md:8: the doc shows ACTION_NOT_ALLOWED, the answer has CONFIRMATION_REQUIRED/)
})

// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
function slug (heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
}

test('every link between README.md and docs/ names a page and a heading that exist', () => {
  const texts = new Map(docPages())
  const headings = new Map([...texts].map(([file, text]) => {
    const outside = text.replace(/^\s*```[\s\S]*?^\s*```/gm, '')
    return [file, new Set([...outside.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] as string)))]
  }))
  const broken: string[] = []
  for (const [file, text] of texts) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1] as string
      if (/^[a-z]+:/.test(link)) continue
      const [path, anchor] = link.split('#') as [string, string | undefined]
      const base = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : ''
      const target = path === '' ? file : new URL(path, `file:///${base}`).pathname.slice(1)
      if (target.endsWith('.png')) {
        if (!existsSync(projectFile(target))) broken.push(`${file}: ${link} (no such file)`)
        continue
      }
      const known = headings.get(target)
      if (known === undefined) broken.push(`${file}: ${link} (no such page)`)
      else if (anchor !== undefined && !known.has(anchor)) broken.push(`${file}: ${link} (no such heading in ${target})`)
    }
  }
  assert.deepEqual(broken, [])
  const linked = new Set([...(texts.get('README.md') ?? '').matchAll(/\]\((docs\/[^)#]+\.md)/g)].map((m) => m[1]))
  assert.deepEqual([...texts.keys()].filter((f) => f.startsWith('docs/') && !linked.has(f)), [], 'the README links every docs page')
})
