/**
 * A short soak: the real server (the CLI, with its embedded simulator) in a child process, under a mixed load of
 * tool calls at a fixed concurrency for a bounded time and count, loopback only. Prints throughput, p50/p99 per
 * tool, the answers by status, and the server's resident memory sampled every second (from /proc), so a leak shows
 * as a rising line. Any 5xx other than 502/503/504 counts as a failure.
 * Run: `npm run bench -- soak` (`--seconds N`, default 30; `--concurrency N`, default 32; `--max N` requests).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'
import { projectRoot } from '../src/lib/paths.js'

const TOKEN = 'soak-token-0123456789abcdef'

/** What the soak measured. */
export interface SoakFigures {
  requests: number
  seconds: number
  perSecond: number
  byTool: Record<string, { count: number, p50Ms: number, p99Ms: number }>
  byStatus: Record<string, number>
  rssMb: number[]
  failures: number
}

async function startServer (): Promise<{ child: ChildProcess, url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'sah-soak-')), PORT: '0', LOG_LEVEL: 'warn', MCP_BEARER_TOKEN: TOKEN, RATE_LIMIT_PER_MINUTE: '1000000', SIMULATOR_VMS: '200' },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk) => {
      out += String(chunk)
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match?.[1] !== undefined) resolve(match[1])
    })
    child.once('exit', (code) => reject(new Error(`the server exited with ${String(code)}: ${out}`)))
  })
  return { child, url }
}

function rssMb (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return Math.round(kb / 1024)
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
}

/** Runs the soak and prints its figures. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<SoakFigures> {
  const { values } = parseArgs({ args: argv, strict: false, options: { seconds: { type: 'string', default: '30' }, concurrency: { type: 'string', default: '32' }, max: { type: 'string', default: '200000' }, quick: { type: 'boolean', default: false } } })
  const seconds = values.quick === true ? 8 : Number(values.seconds)
  const concurrency = Number(values.concurrency)
  const max = Number(values.max)
  const { child, url } = await startServer()
  const pool = new Pool(url, { connections: concurrency })
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
  const call = async (tool: string, body: unknown): Promise<number> => {
    const res = await pool.request({ method: 'POST', path: `/${tool}`, headers, body: JSON.stringify(body) })
    await res.body.text()
    return res.statusCode
  }
  const figures: SoakFigures = { requests: 0, seconds: 0, perSecond: 0, byTool: {}, byStatus: {}, rssMb: [], failures: 0 }
  try {
    const vms = JSON.parse(await (await pool.request({ method: 'POST', path: '/run_api', headers, body: JSON.stringify({ query: '/VirDomain', fields: ['uuid'], maxItems: 50 }) })).body.text()) as { data: Array<{ uuid: string }> }
    const uuids = vms.data.map((v) => v.uuid)
    const mix: Array<[string, (i: number) => unknown]> = [
      ['query_api', (i) => ({ query: ['list vms', 'power on a vm', 'take a snapshot', 'who has a login', 'set the time zone'][i % 5] })],
      ['describe_endpoint', (i) => ({ method: i % 2 === 0 ? 'POST' : 'GET', path: i % 2 === 0 ? '/VirDomain/action' : '/VirDomain/{virDomainUUID}' })],
      ['run_api', () => ({ query: '/VirDomain', fields: ['uuid', 'name', 'state'], maxItems: 50 })],
      ['run_api', (i) => ({ query: `/VirDomain/${uuids[i % uuids.length] ?? 'x'}` })],
      ['run_api', () => ({ query: '/Node' })],
      ['get_session', () => ({})]
    ]
    const latencies = new Map<string, number[]>()
    const started = performance.now()
    const deadline = started + seconds * 1000
    const sampler = setInterval(() => figures.rssMb.push(rssMb(child.pid as number)), 1000)
    figures.rssMb.push(rssMb(child.pid as number))
    let n = 0
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline && n < max) {
        const i = n++
        const [tool, body] = mix[i % mix.length] as [string, (i: number) => unknown]
        const t0 = performance.now()
        const status = await call(tool, body(i)).catch(() => 0)
        const ms = performance.now() - t0
        const list = latencies.get(tool) ?? []
        list.push(ms)
        latencies.set(tool, list)
        figures.byStatus[status] = (figures.byStatus[status] ?? 0) + 1
        if (status === 0 || (status >= 500 && ![502, 503, 504].includes(status))) figures.failures++
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    clearInterval(sampler)
    figures.rssMb.push(rssMb(child.pid as number))
    figures.seconds = (performance.now() - started) / 1000
    figures.requests = n
    figures.perSecond = Math.round(n / figures.seconds)
    for (const [tool, list] of latencies) {
      list.sort((a, b) => a - b)
      figures.byTool[tool] = { count: list.length, p50Ms: Number(percentile(list, 50).toFixed(1)), p99Ms: Number(percentile(list, 99).toFixed(1)) }
    }
  } finally {
    await pool.close()
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
  const lines = [
    `Soak: ${figures.requests} calls in ${figures.seconds.toFixed(1)} s at concurrency ${concurrency}: ${figures.perSecond} calls/s; failures ${figures.failures}`,
    ...Object.entries(figures.byTool).map(([tool, f]) => `  ${tool.padEnd(18)} ${String(f.count).padStart(7)} calls  p50 ${f.p50Ms} ms  p99 ${f.p99Ms} ms`),
    `  by status: ${Object.entries(figures.byStatus).map(([s, c]) => `${s}: ${c}`).join(', ')}`,
    `  server RSS (MB, every second): ${figures.rssMb.join(' ')}`,
    `  RSS first/last: ${figures.rssMb[0] ?? 0} / ${figures.rssMb.at(-1) ?? 0} MB, peak ${Math.max(...figures.rssMb)} MB`
  ]
  process.stdout.write(lines.join('\n') + '\n')
  if (figures.failures > 0) process.exitCode = 1
  return figures
}
