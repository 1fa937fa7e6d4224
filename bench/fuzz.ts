/**
 * Hostile-input fuzzing: replays a generated corpus (the same seed gives the same corpus) against the app with the
 * embedded simulator behind it, and prints the answers by status and code. It fails (exit code 1) on any 500, any
 * answer that is not JSON in our {code, message} shape, any hang, any upstream request outside /rest/v1 or to the
 * session endpoints, and any secret (the cluster password, the session ID, a bearer token) in an answer or a log.
 * The corpus: run_api paths in many encodings (percent-encoded letters, double escapes, dot segments and their
 * look-alikes, control characters, absolute URLs), wrong types for every field of every tool, deep nesting,
 * prototype keys, huge strings, and bodies that are not JSON. Loopback only; bounded by the corpus size.
 * Run: `npm run bench -- fuzz` (`--count N` cases, default 3,000; `--seed N`).
 */
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { buildApp } from '../src/app.js'
import { Catalog } from '../src/catalog/catalog.js'
import { loadConfig } from '../src/config.js'
import { loggerOptions } from '../src/logger.js'
import { HyperCoreClient } from '../src/scale/client.js'
import { clusterConfigFor, startSimulator } from '../src/simulator/index.js'
import { tools } from '../src/tools/index.js'

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
  const { values } = parseArgs({ args: argv, strict: false, options: { count: { type: 'string', default: '3000' }, seed: { type: 'string', default: '9401' } } })
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
  if (figures.failures.length > 0) process.exitCode = 1
  return figures
}
