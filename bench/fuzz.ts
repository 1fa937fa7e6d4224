/**
 * Hostile-input fuzzing: replays a generated corpus (the same seed gives the same corpus) against the app with the
 * embedded simulator behind it, and prints the answers by status and code. It fails (exit code 1) on any 500, any
 * answer that is not JSON in our {code, message} shape, any hang, any upstream request outside /rest/v1 or to the
 * session endpoints, and any secret (the cluster password, the session ID, a bearer token) in an answer or a log.
 * The corpus: run_api paths in many encodings (percent-encoded letters, double escapes, dot segments and their
 * look-alikes, control characters, absolute URLs), wrong types for every field of every tool, deep nesting,
 * prototype keys, huge strings, and bodies that are not JSON. Loopback only; bounded by the corpus size.
 * Then every string argument of every tool at 1 KB, 100 KB, 1 MB and 5 MB, and name lookups at the names' bound,
 * against a simulator of 10,000 VMs (a few renamed to 100,000 characters) in a child process, with the event-loop
 * delay of this (the server's) process measured by `monitorEventLoopDelay`: it prints the worst delay (max, p99) and
 * the answers that were not 4xx, and fails on any 5xx.
 * Run: `npm run bench -- fuzz` (`--count N` cases, default 3,000; `--seed N`; `--vms N`, default 10,000).
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { buildApp } from '../src/app.js'
import { Catalog } from '../src/catalog/catalog.js'
import { loadConfig } from '../src/config/config.js'
import { loggerOptions } from '../src/observe/logger.js'
import { HyperCoreClient } from '../src/scale/client.js'
import { clusterConfigFor, startSimulator } from '../src/simulator/index.js'
import { MAX_NAME_LENGTH } from '../src/tools/support/argument-limits.js'
import { rankingWork } from '../src/text/closest-names.js'
import { tools } from '../src/tools/registry.js'
import { announceSimulator, stopForked } from './lib.js'
import type { FastifyInstance } from 'fastify'

const TOKEN = 'fuzz-token-0123456789abcdef-Xq7'
const PASSWORD = 'Fuzz-Cl!ster-pa55'
const HANG_MS = 15_000

/** One hostile request: a tool and a raw body (JSON text or not) with a content type. */
interface FuzzCase {
  tool: string
  body: string
  contentType: string
  kind: string
}

/** What the run found. */
export interface FuzzFigures {
  cases: number
  byStatus: Record<string, number>
  byCode: Record<string, number>
  failures: string[]
  upstreamOutside: number
  ms: number
  huge?: HugeFigures
}

/** Event-loop delay of the server's process over a set of calls, in milliseconds. */
export interface LoopDelay {
  max: number
  p99: number
  mean: number
}

/** One group of calls of the huge-strings run. */
export interface HugeGroup {
  label: string
  calls: number
  byStatus: Record<string, number>
  /** Answers that were not 4xx (200s and any 5xx). */
  non4xx: number
  fiveXX: number
  delay: LoopDelay
  /** The slowest call, wall time. */
  slowest: { label: string, ms: number }
  /** The calls that held the loop longest, with their own worst delay. */
  worst: Array<{ label: string, ms: number }>
  /** Distance-table cells the name ranking computed, in all and in the call that computed most. */
  rankingCells: number
  rankingCellsMax: number
}

/** What the huge-strings run on a large cluster found. */
export interface HugeFigures {
  vms: number
  listBytes: number
  groups: HugeGroup[]
}

// A small deterministic generator (mulberry32), so a failure can be replayed with the same seed.
function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const PATH_PIECES = [
  '..', '.', '%2e%2e', '%2E%2e', '.%2e', '%252e%252e', '..%2f', '%2f', '%5c', '\\', '..%20', '..+', '..%ef%bc%8f',
  '\uff0e\uff0e', '\u2024\u2024', '%c0%ae%c0%ae', '%00', '%0d%0a', '\r\n', '\t', '%7f', '%e2%80%a8', '@', '%40', ';', '%3b',
  '#', '%23', '?', '%3f', '//', 'login', '%6Cogin', 'logout', '%6cogout', 'VirDomain', '%56irDomain', 'VirDom%61in',
  'rest', 'v1', '%72est', 'TaskTag', 'Node', 'User', 'constructor', '__proto__', 'prototype', 'Cluster', 'shutdown',
  'http:', 'https://evil.example', 'file:', 'javascript:', '%ff', '%fe%ff', '%ed%a0%80', 'a'.repeat(300)
]
const VALUES: unknown[] = [
  null, true, false, 0, -1, 1e308, Number.MAX_SAFE_INTEGER, 0.5, '', ' ', 'GET', 'get', 'FETCH', '__proto__', 'constructor',
  [], ['/Node'], [1, 2], {}, { a: 1 }, { __proto__: { polluted: true } }, { constructor: { prototype: { x: 1 } } },
  'x'.repeat(100_000), '\u0000', '\ud800', '{"nested":'
]

function pick<T> (rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)] as T
}

function hostilePath (rnd: () => number): string {
  const n = 1 + Math.floor(rnd() * 5)
  const parts = Array.from({ length: n }, () => pick(rnd, PATH_PIECES))
  const lead = pick(rnd, ['/', '', '/rest/v1/', '//', '\\', 'https://127.0.0.1/'])
  return lead + parts.join(pick(rnd, ['/', '/', '/', '%2f', '\\']))
}

function deep (levels: number): string {
  return `${'['.repeat(levels)}0${']'.repeat(levels)}`
}

/** The corpus: `count` cases from `seed`. */
export function corpus (count: number, seed: number): FuzzCase[] {
  const rnd = prng(seed)
  const out: FuzzCase[] = []
  const json = (tool: string, value: unknown, kind: string): FuzzCase => ({ tool, body: JSON.stringify(value) ?? 'null', contentType: 'application/json', kind })
  while (out.length < count) {
    const r = rnd()
    if (r < 0.5) {
      out.push(json('run_api', { query: hostilePath(rnd), method: pick(rnd, ['GET', 'POST', 'DELETE', 'PATCH', 'get', 'TRACE']), payload: rnd() < 0.3 ? { username: 'admin', password: PASSWORD } : undefined, params: rnd() < 0.2 ? `x=${'%0d%0a'.repeat(3)}` : undefined }, 'path'))
    } else if (r < 0.75) {
      // The session tools log in and out by design; everything else must never reach /login or /logout.
      const tool = pick(rnd, tools.filter((t) => t.name !== 'generate_session' && t.name !== 'kill_session'))
      const fields = Object.keys(tool.input.properties)
      const body: Record<string, unknown> = {}
      for (const f of fields) if (rnd() < 0.6) body[f] = pick(rnd, VALUES)
      if (rnd() < 0.3) body[pick(rnd, ['__proto__', 'constructor', 'extra', 'confirm'])] = pick(rnd, VALUES)
      out.push(json(tool.name, body, 'types'))
    } else if (r < 0.85) {
      const tool = pick(rnd, ['run_api', 'query_api', 'describe_endpoint'])
      const levels = pick(rnd, [100, 401, 1000, 5000, 20_000])
      const field = tool === 'run_api' ? 'payload' : tool === 'query_api' ? 'query' : 'path'
      out.push({ tool, body: `{"query": "/VirDomain", "method": "POST", "path": "/VirDomain", "${field}": ${deep(levels)}}`, contentType: 'application/json', kind: 'deep' })
    } else if (r < 0.93) {
      out.push(json(pick(rnd, ['query_api', 'describe_endpoint', 'run_api']), { query: 'x'.repeat(pick(rnd, [1001, 5000, 200_000])), path: 'y'.repeat(3000), method: 'GET' }, 'huge'))
    } else {
      const body = pick(rnd, ['{bad json', '', '[]', '"a string"', '123', 'null', '\u0000\u0001', '<xml/>', '{"query": "list vms"}'])
      out.push({ tool: pick(rnd, ['query_api', 'run_api', 'get_session']), body, contentType: pick(rnd, ['application/json', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', '']), kind: 'body' })
    }
  }
  return out
}

/** Runs the corpus and prints the figures; exits non-zero when anything failed. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<FuzzFigures> {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: { count: { type: 'string', default: '3000' }, seed: { type: 'string', default: '9401' }, vms: { type: 'string', default: String(BIG_VMS) }, 'serve-simulator': { type: 'boolean', default: false } }
  })
  const vms = Number(values.vms)
  if (values['serve-simulator'] === true) {
    await serveSimulator(vms)
    return { cases: 0, byStatus: {}, byCode: {}, failures: [], upstreamOutside: 0, ms: 0 }
  }
  const count = Number(values.count)
  const seed = Number(values.seed)
  const upstream: string[] = []
  const simLog = pino({ level: 'debug' }, { write (line: string) { const l = JSON.parse(line) as { msg?: string, path?: string }; if (l.msg === 'simulator request' && l.path !== undefined) upstream.push(l.path) } })
  const logLines: string[] = []
  const appLog = pino(loggerOptions('trace'), { write (line: string) { logLines.push(line) } })
  const catalog = await Catalog.load()
  const sim = await startSimulator({ catalog, password: PASSWORD, taskDurationMs: 20, logger: simLog })
  const client = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 5000 }))
  const config = loadConfig({ MCP_BEARER_TOKEN: TOKEN, SCALE_AUDIT_FILE: '-', SCALE_MODE: 'full', RATE_LIMIT_PER_MINUTE: '1000000' })
  const app = await buildApp(config, { catalog, cluster: client, clusterInfo: { mode: 'simulator', cluster: client.host } }, { logger: appLog, swaggerUi: false })
  const stdout = process.stdout.write.bind(process.stdout)
  // The audit goes to stdout in this run; keep the printed figures readable.
  process.stdout.write = (() => true) as typeof process.stdout.write
  const figures: FuzzFigures = { cases: 0, byStatus: {}, byCode: {}, failures: [], upstreamOutside: 0, ms: 0 }
  const started = performance.now()
  try {
    for (const c of corpus(count, seed)) {
      figures.cases++
      const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }
      if (c.contentType !== '') headers['content-type'] = c.contentType
      let timer: NodeJS.Timeout | undefined
      const hang = new Promise<'hang'>((resolve) => { timer = setTimeout(() => resolve('hang'), HANG_MS) })
      const res = await Promise.race([app.inject({ method: 'POST', url: `/${c.tool}`, headers, payload: c.body }), hang])
      clearTimeout(timer)
      const label = `${c.kind} ${c.tool} ${c.body.slice(0, 120)}`
      if (res === 'hang') {
        figures.failures.push(`hang: ${label}`)
        continue
      }
      figures.byStatus[res.statusCode] = (figures.byStatus[res.statusCode] ?? 0) + 1
      let body: { code?: unknown, message?: unknown } | undefined
      try {
        body = JSON.parse(res.body) as typeof body
      } catch {
        figures.failures.push(`not JSON (${res.statusCode}): ${label}`)
        continue
      }
      const code = res.statusCode === 200 ? 'ok' : typeof body?.code === 'string' ? body.code : '(no code)'
      figures.byCode[code] = (figures.byCode[code] ?? 0) + 1
      if (res.statusCode >= 500 && res.statusCode !== 502 && res.statusCode !== 503 && res.statusCode !== 504) figures.failures.push(`${res.statusCode} ${code}: ${label}`)
      if (res.statusCode !== 200 && (typeof body?.code !== 'string' || typeof body.message !== 'string')) figures.failures.push(`not our error shape (${res.statusCode}): ${label}`)
      for (const secret of [PASSWORD, TOKEN, ...client.knownSecrets()]) {
        if (res.body.includes(secret)) figures.failures.push(`secret in answer: ${label}`)
      }
    }
  } finally {
    process.stdout.write = stdout
    figures.ms = performance.now() - started
    const logs = logLines.join('')
    for (const secret of [PASSWORD, TOKEN, ...client.knownSecrets()]) if (logs.includes(secret)) figures.failures.push('a secret is in the log')
    // Only our own client's one login may reach the session endpoints; nothing may leave /rest/v1 but the status file.
    const logins = upstream.filter((p) => /^\/rest\/v1\/login$/i.test(p)).length
    // The one path outside it the client itself reads: the update status file, when a call misbehaved.
    figures.upstreamOutside = upstream.filter((p) => (!p.startsWith('/rest/v1/') && p !== '/update/update_status.json') || /^\/rest\/v1\/logout$/i.test(p)).length + Math.max(0, logins - 1)
    if (figures.upstreamOutside > 0) figures.failures.push(`${figures.upstreamOutside} upstream requests outside /rest/v1 or to the session endpoints`)
    await app.close()
    await client.close()
    await sim.close()
  }
  const lines = [
    `Fuzz: ${figures.cases} hostile requests (seed ${seed}) in ${(figures.ms / 1000).toFixed(1)} s; ${upstream.length} reached the simulator, ${figures.upstreamOutside} outside /rest/v1 or to /login|/logout beyond our own login`,
    `  by status: ${Object.entries(figures.byStatus).sort().map(([s, n]) => `${s}: ${n}`).join(', ')}`,
    `  by code:   ${Object.entries(figures.byCode).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ')}`,
    figures.failures.length === 0 ? '  no 500, no non-JSON answer, no hang, no leaked secret: PASS' : `  FAIL (${figures.failures.length}):\n    ${figures.failures.slice(0, 20).join('\n    ')}`
  ]
  process.stdout.write(lines.join('\n') + '\n')
  figures.huge = await hugeStrings(vms)
  process.stdout.write(hugeLines(figures.huge).join('\n') + '\n')
  for (const g of figures.huge.groups) if (g.fiveXX > 0) figures.failures.push(`${g.fiveXX} 5xx answers: ${g.label}`)
  if (figures.failures.length > 0) process.exitCode = 1
  return figures
}

const BIG_VMS = 10_000
// VMs renamed (outside the typed tools, which refuse it now) to names of this many characters.
const LONG_NAMED_VMS = 5
const LONG_NAME_CHARS = 100_000
const HUGE_SIZES: ReadonlyArray<[string, number]> = [['1 KB', 1024], ['100 KB', 100 * 1024], ['1 MB', 1024 * 1024], ['5 MB', 5 * 1024 * 1024]]

/** What the simulator child tells the bench. */
interface SimInfo {
  url: string
  username: string
  password: string
  certificate: { pem: string, fingerprint256: string }
  /** An ordinary VM's name, and the start of a long-named VM's name. */
  vmName: string
  longNameStart: string
}

// The child: a large simulated cluster, so that serving 20 MB VM lists does not count in the server's loop delay.
async function serveSimulator (vms: number): Promise<void> {
  const sim = await startSimulator({ vms, password: PASSWORD, taskDurationMs: 20 })
  const all = [...sim.state.vms.values()]
  const long = all.slice(0, LONG_NAMED_VMS)
  for (const [i, vm] of long.entries()) vm.name = `${vm.name}-${i}-${'L'.repeat(LONG_NAME_CHARS)}`.slice(0, LONG_NAME_CHARS)
  announceSimulator(sim, { vmName: all[all.length - 1]?.name ?? '', longNameStart: (long[0]?.name ?? '').slice(0, 40) })
}

// A valid value for a required field, so that the one huge field is the only thing wrong with a call.
function plainValue (tool: string, field: string, schema: Record<string, unknown>, vmName: string): unknown {
  if (Array.isArray(schema.enum)) return schema.enum[0]
  if (field === 'vm') return vmName
  if (field === 'query') return tool === 'run_api' ? '/VirDomain' : 'list vms'
  return PLAIN_VALUES[field] ?? 'x'
}

const PLAIN_VALUES: Record<string, string> = {
  label: 'bench',
  name: 'bench-copy',
  snapshot: 'nightly',
  taskTag: 'bench-tag',
  method: 'GET',
  path: '/VirDomain',
  source: 'smb://user:secret@server/share/vm',
  target: 'smb://user:secret@server/share/vm'
}

// Every string (or list of strings) argument of every tool, as a call with that one argument huge.
function hugeCases (size: number, vmName: string): Array<{ label: string, tool: string, body: string }> {
  const huge = 'n'.repeat(size)
  const out: Array<{ label: string, tool: string, body: string }> = []
  for (const tool of tools) {
    const props = tool.input.properties as Record<string, Record<string, unknown>>
    const required = new Set(tool.input.required ?? [])
    const base: Record<string, unknown> = {}
    for (const field of required) base[field] = plainValue(tool.name, field, props[field] ?? {}, vmName)
    for (const [field, schema] of Object.entries(props)) {
      const items = schema.items as { type?: unknown } | undefined
      const stringy = schema.type === 'string' || (Array.isArray(schema.anyOf) && (schema.anyOf as Array<{ type?: unknown }>).some((b) => b.type === 'string'))
      const list = schema.type === 'array' && items?.type === 'string'
      if (!stringy && !list) continue
      out.push({ label: `${tool.name} ${field}`, tool: tool.name, body: JSON.stringify({ ...base, [field]: list ? [huge] : huge }) })
    }
  }
  return out
}

// Lookups that pass the bounds: names at the bound that match nothing, one that starts like a 100,000-character name,
// a typo; list_vms reads the same 10,000 VMs and shows what reading them costs by itself.
function lookupCases (info: SimInfo): Array<{ label: string, tool: string, body: string }> {
  const atBound = 'q'.repeat(MAX_NAME_LENGTH)
  const longStart = `${info.longNameStart}${'L'.repeat(MAX_NAME_LENGTH)}`.slice(0, MAX_NAME_LENGTH)
  const typo = info.vmName.length > 2 ? `${info.vmName.slice(0, -2)}${info.vmName.slice(-1)}${info.vmName.slice(-2, -1)}` : `${info.vmName}x`
  const cases: Array<[string, Record<string, unknown>]> = [
    ['list_vms', {}],
    ['get_vm', { vm: atBound }],
    ['get_vm', { vm: longStart }],
    ['get_vm', { vm: typo }],
    ['vm_stats', { vm: atBound }],
    ['vm_action', { vm: longStart, action: 'START' }],
    ['list_snapshots', { vm: atBound }],
    ['delete_snapshot', { snapshot: atBound }],
    ['clone_vm', { vm: atBound, name: 'bench-copy' }],
    ['list_vms', { name: atBound }],
    ['list_vms', { name: 'L'.repeat(MAX_NAME_LENGTH) }]
  ]
  return cases.map(([tool, body]) => ({ label: `${tool} ${Object.entries(body).map(([k, v]) => `${k}=${String(v).length} chars`).join(' ')}`, tool, body: JSON.stringify(body) }))
}

async function tick (): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 3))
}

function delayOf (h: IntervalHistogram): LoopDelay {
  const ms = (ns: number): number => ns / 1e6
  return { max: ms(h.max), p99: ms(h.percentile(99)), mean: ms(h.mean) }
}

// Runs calls one after the other, their bodies built beforehand: the histogram sees the server's work only.
async function runGroup (app: FastifyInstance, label: string, cases: Array<{ label: string, tool: string, body: string }>): Promise<HugeGroup> {
  const h = monitorEventLoopDelay({ resolution: 1 })
  const one = monitorEventLoopDelay({ resolution: 1 })
  const group: HugeGroup = { label, calls: 0, byStatus: {}, non4xx: 0, fiveXX: 0, delay: { max: 0, p99: 0, mean: 0 }, slowest: { label: '', ms: 0 }, worst: [], rankingCells: 0, rankingCellsMax: 0 }
  h.enable()
  for (const c of cases) {
    const cells = rankingWork.cells
    const started = performance.now()
    one.reset()
    one.enable()
    // A histogram counts from its first tick on, and a call's last stretch shows at the tick after it: let both come.
    await tick()
    const res = await app.inject({ method: 'POST', url: `/${c.tool}`, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: c.body })
    await tick()
    one.disable()
    const ms = performance.now() - started
    group.worst.push({ label: `${c.label} (${res.statusCode})`, ms: one.max / 1e6 })
    group.worst = group.worst.sort((a, b) => b.ms - a.ms).slice(0, 3)
    const done = rankingWork.cells - cells
    group.calls++
    group.byStatus[res.statusCode] = (group.byStatus[res.statusCode] ?? 0) + 1
    if (res.statusCode < 400 || res.statusCode >= 500) group.non4xx++
    if (res.statusCode >= 500) group.fiveXX++
    if (ms > group.slowest.ms) group.slowest = { label: `${c.label} (${res.statusCode})`, ms }
    group.rankingCells += done
    group.rankingCellsMax = Math.max(group.rankingCellsMax, done)
  }
  h.disable()
  group.delay = delayOf(h)
  return group
}

async function hugeStrings (vms: number): Promise<HugeFigures> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-simulator', '--vms', String(vms)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  try {
    const [info] = await once(child, 'message') as [SimInfo]
    const catalog = await Catalog.load()
    const client = new HyperCoreClient(clusterConfigFor(info, { timeoutMs: 60_000 }))
    const config = loadConfig({ MCP_BEARER_TOKEN: TOKEN, SCALE_AUDIT_FILE: '-', SCALE_MODE: 'full', RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'silent' })
    const app = await buildApp(config, { catalog, cluster: client, clusterInfo: { mode: 'simulator', cluster: client.host } }, { logger: pino({ level: 'silent' }), swaggerUi: false })
    const stdout = process.stdout.write.bind(process.stdout)
    process.stdout.write = (() => true) as typeof process.stdout.write
    const figures: HugeFigures = { vms, listBytes: 0, groups: [] }
    try {
      figures.listBytes = (await client.call('GET', '/VirDomain')).bytes
      for (const [name, size] of HUGE_SIZES) {
        const cases = hugeCases(size, info.vmName)
        figures.groups.push(await runGroup(app, `every string argument of every tool at ${name} (${cases.length} calls)`, cases))
      }
      const lookups = lookupCases(info)
      figures.groups.push(await runGroup(app, `lookups with names at the ${MAX_NAME_LENGTH}-character bound (${lookups.length} calls)`, lookups))
    } finally {
      process.stdout.write = stdout
      await app.close()
      await client.close()
    }
    return figures
  } finally {
    await stopForked(child)
  }
}

function hugeLines (f: HugeFigures): string[] {
  const ms = (x: number): string => x.toFixed(1)
  const lines = [`Huge strings: against ${f.vms.toLocaleString('en')} VMs (${LONG_NAMED_VMS} named ${LONG_NAME_CHARS.toLocaleString('en')} characters; GET /VirDomain is ${(f.listBytes / 1e6).toFixed(1)} MB), event-loop delay of the server's process`]
  for (const g of f.groups) {
    lines.push(`  ${g.label}: ${Object.entries(g.byStatus).sort().map(([s, n]) => `${s}: ${n}`).join(', ')}; non-4xx ${g.non4xx} (5xx ${g.fiveXX})`)
    lines.push(`    loop delay max ${ms(g.delay.max)} ms, p99 ${ms(g.delay.p99)} ms, mean ${ms(g.delay.mean)} ms; slowest call ${ms(g.slowest.ms)} ms (${g.slowest.label}); ranking cells ${g.rankingCells.toLocaleString('en')} (most in one call ${g.rankingCellsMax.toLocaleString('en')})`)
    lines.push(`    held the loop longest: ${g.worst.map((w) => `${w.label} ${ms(w.ms)} ms`).join(', ')}`)
  }
  const all = f.groups.reduce((sum, g) => sum + g.fiveXX, 0)
  lines.push(all === 0 ? '  no 5xx: PASS' : `  FAIL: ${all} 5xx answers`)
  return lines
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
