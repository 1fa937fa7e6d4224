/**
 * Live-call throughput: `GET /VirDomain` on a simulated cluster with 500 VMs over HTTPS, at concurrency 1 and 32,
 * three ways: direct undici (one pooled keep-alive Agent, logged in once), through our `run_api` tool (a real HTTP
 * hop: the app listens on 127.0.0.1 and is called with a keep-alive client), and a client that opens a new TLS
 * connection per call as the original Python helper did. A second, small answer (`GET /VirDomain/{uuid}`) shows what
 * connection reuse is worth when the answer does not dominate. The simulator runs in a child process so it does not
 * share an event loop with the clients. Loopback only; every loop is bounded by a request count.
 * Run: `npx tsx bench/live.ts` (`--quick` for a short run).
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { Agent, Client, request } from 'undici'
import { buildApp } from '../src/app.js'
import { Catalog } from '../src/catalog/catalog.js'
import { loadConfig } from '../src/config/config.js'
import { HyperCoreClient } from '../src/scale/client.js'
import { clusterConfigFor, startSimulator } from '../src/simulator/index.js'
import { announceSimulator, percentile, pool, stopForked, timed } from './lib.js'

/** What the simulator child reports once it listens. */
interface SimInfo {
  url: string
  username: string
  password: string
  certificate: { pem: string, fingerprint256: string }
  vmUUID: string
}

/** Throughput and latency of one way of calling at one concurrency. */
export interface LiveFigures {
  workload: string
  way: string
  concurrency: number
  requests: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
}

const TOKEN = 'bench-token-0123456789abcdef'
const VMS = 500
const ROUNDS = 3

/** Runs the benchmark and prints a table and the ratios against the targets; returns every figure. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<LiveFigures[]> {
  const { values } = parseArgs({ args: argv, strict: false, options: { quick: { type: 'boolean', default: false }, 'serve-simulator': { type: 'boolean', default: false } } })
  if (values['serve-simulator'] === true) {
    await serveSimulator()
    return []
  }
  const scale = values.quick === true ? 0.25 : 1
  const child = fork(fileURLToPath(import.meta.url), ['--serve-simulator'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  try {
    const [sim] = await once(child, 'message') as [SimInfo]
    return await runAll(sim, scale)
  } finally {
    await stopForked(child)
  }
}

async function runAll (sim: SimInfo, scale: number): Promise<LiveFigures[]> {
  const trust = { connect: { ca: sim.certificate.pem } }
  const sessionID = await login(sim, trust)
  const listPath = '/rest/v1/VirDomain'
  const onePath = `/rest/v1/VirDomain/${sim.vmUUID}`

  // Direct: one keep-alive Agent, the session sent as a cookie.
  const direct = new Agent({ ...trust, connections: 32 })
  const directCall = (path: string) => async (): Promise<void> => {
    const res = await request(`${sim.url}${path}`, { dispatcher: direct, headers: { cookie: `sessionID=${sessionID}`, accept: 'application/json' } })
    await expectJson(res, 200)
  }

  // New connection per call: a fresh Client (own socket, own TLS handshake, no session resumption) every time.
  const freshCall = (path: string) => async (): Promise<void> => {
    const client = new Client(sim.url, trust)
    try {
      const res = await client.request({ method: 'GET', path, headers: { cookie: `sessionID=${sessionID}`, accept: 'application/json' } })
      await expectJson(res, 200)
    } finally {
      await client.close()
    }
  }

  // run_api: our app on a real socket in this process, with a default HyperCoreClient pinned to the simulator's certificate.
  // The benchmark is one caller sending thousands of calls a minute: the default rate limit (120) would refuse most.
  const config = loadConfig({ MCP_BEARER_TOKEN: TOKEN, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '1000000' })
  const cluster = new HyperCoreClient(clusterConfigFor(sim))
  const app = await buildApp(config, { catalog: await Catalog.load(), cluster, clusterInfo: { mode: 'simulator', cluster: cluster.host } }, { swaggerUi: false })
  const appUrl = await app.listen({ host: '127.0.0.1', port: 0 })
  const toApp = new Agent({ connections: 32 })
  const runApiCall = (path: string) => async (): Promise<void> => {
    const res = await request(`${appUrl}/run_api`, {
      method: 'POST',
      dispatcher: toApp,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: path, method: 'GET' })
    })
    await expectJson(res, 200)
  }

  const figures: LiveFigures[] = []
  try {
    const workloads = [
      { name: `GET /VirDomain (${VMS} VMs)`, path: listPath, counts: { 1: 60, 32: 256 } },
      { name: 'GET /VirDomain/{uuid} (one VM)', path: onePath, counts: { 1: 400, 32: 2000 } }
    ]
    const ways = [
      { name: 'direct undici', call: directCall },
      { name: 'run_api (HTTP hop)', call: runApiCall },
      { name: 'new TLS connection per call', call: freshCall }
    ]
    for (const workload of workloads) {
      for (const concurrency of [1, 32] as const) {
        const total = Math.max(concurrency * ROUNDS, Math.round(workload.counts[concurrency] * scale))
        // The ways take turns in rounds, so a change in machine load hits all three alike.
        const runs = ways.map(() => ({ latencies: [] as number[], seconds: 0, requests: 0 }))
        // Warm-up (connections, JIT), not counted.
        for (const way of ways) await pool(concurrency, concurrency * 2, way.call(workload.path))
        for (let round = 0; round < ROUNDS; round++) {
          for (const [i, way] of ways.entries()) {
            const run = runs[i] as typeof runs[number]
            const n = Math.ceil(total / ROUNDS)
            run.seconds += await timed(concurrency, n, way.call(workload.path), run.latencies)
            run.requests += n
          }
        }
        for (const [i, way] of ways.entries()) {
          const run = runs[i] as typeof runs[number]
          run.latencies.sort((a, b) => a - b)
          figures.push({
            workload: workload.name,
            way: way.name,
            concurrency,
            requests: run.requests,
            requestsPerSecond: run.requests / run.seconds,
            p50Ms: percentile(run.latencies, 50),
            p99Ms: percentile(run.latencies, 99)
          })
        }
      }
    }
  } finally {
    await app.close()
    await cluster.close()
    await toApp.close()
    await direct.close()
  }
  report(figures)
  return figures
}

async function login (sim: SimInfo, trust: { connect: { ca: string } }): Promise<string> {
  const client = new Client(sim.url, trust)
  try {
    const res = await client.request({
      method: 'POST',
      path: '/rest/v1/login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: sim.username, password: sim.password, useOIDC: false })
    })
    const body = await expectJson(res, 200) as { sessionID: string }
    return body.sessionID
  } finally {
    await client.close()
  }
}

async function expectJson (res: { statusCode: number, body: { json: () => Promise<unknown>, dump: () => Promise<void> } }, status: number): Promise<unknown> {
  if (res.statusCode !== status) {
    await res.body.dump()
    throw new Error(`expected ${status}, got ${res.statusCode}`)
  }
  // Every way parses the answer: a client that uses the data has to.
  return await res.body.json()
}

function report (figures: LiveFigures[]): void {
  const rows = figures.map((f) => [f.workload, f.way, String(f.concurrency), String(f.requests), f.requestsPerSecond.toFixed(1), f.p50Ms.toFixed(1), f.p99Ms.toFixed(1)])
  const head = ['workload', 'way', 'conc', 'requests', 'req/s', 'p50 ms', 'p99 ms']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ')
  console.log(`live calls over HTTPS to a simulated cluster (${VMS} VMs, simulator in a child process, loopback)`)
  console.log(line(head))
  for (const row of rows) console.log(line(row))

  const rps = (workload: string, way: string, concurrency: number): number =>
    figures.find((f) => f.workload === workload && f.way === way && f.concurrency === concurrency)?.requestsPerSecond ?? NaN
  for (const workload of [...new Set(figures.map((f) => f.workload))]) {
    for (const concurrency of [1, 32]) {
      const vsDirect = rps(workload, 'run_api (HTTP hop)', concurrency) / rps(workload, 'direct undici', concurrency)
      const vsFresh = rps(workload, 'run_api (HTTP hop)', concurrency) / rps(workload, 'new TLS connection per call', concurrency)
      console.log(`${workload}, concurrency ${concurrency}: run_api = ${vsDirect.toFixed(2)}x direct, ${vsFresh.toFixed(2)}x new-connection`)
    }
  }
  const main = figures[0]?.workload ?? ''
  const a = rps(main, 'run_api (HTTP hop)', 32) / rps(main, 'direct undici', 32)
  const b = rps(main, 'run_api (HTTP hop)', 32) / rps(main, 'new TLS connection per call', 32)
  console.log(`targets on ${main} at concurrency 32: run_api >= 0.8x direct: ${a >= 0.8 ? 'met' : 'NOT met'} (${a.toFixed(2)}x); ` +
    `>= 3x new-connection: ${b >= 3 ? 'met' : 'NOT met'} (${b.toFixed(2)}x)`)
}

async function serveSimulator (): Promise<void> {
  const sim = await startSimulator({ vms: VMS })
  const vm = sim.state.vms.values().next().value
  announceSimulator(sim, { vmUUID: vm?.uuid ?? '' })
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
