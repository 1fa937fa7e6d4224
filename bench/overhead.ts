/**
 * What our server adds to a cluster call (issue 20), in one run, as ratios: the simulator (`cli.js simulate`) and
 * the server (`cli.js start`, pointed at it with SCALE_HOST) each run as their own process, and the load comes from
 * this one through undici Pools. A direct call is a keep-alive HTTPS GET to the same simulator with a logged-in
 * session cookie. The ways being compared take turns in rounds (A B B A ...), so a change in the machine's load hits
 * both alike. The server's CPU per call is read from its own `process.cpuUsage()` (prom-client's
 * `sah_process_cpu_seconds_total` on /metrics) around each of its rounds. Each goal of the issue gets a PASS or
 * MISS line next to its figure. Loopback only; every loop is bounded by a count.
 * Run: `npm run bench -- overhead` (`--quick` for about a minute; `--src` runs the server and the simulator from
 * src/ through tsx instead of dist/; `--no-python` leaves out the original helper).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { Pool, WebSocket } from 'undici'
import { freePort, median, percentile, pool, ROOT, rssBytes, startProcess, stopProcess, timed } from './lib.js'

const TOKEN = 'bench-overhead-token-0123456789abcdef'
const ROUNDS = 4
const MB = 1024 * 1024
// The original helper, beside this checkout; the bench runs it as a peer and nothing of it is in the project.
const PEER = join(ROOT, '..', 'shared', 'peers', 'original-helper.py')
const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '0' }, 'io.modelcontextprotocol/clientCapabilities': {} }

/** One way of calling, measured at one concurrency. */
export interface WayFigures {
  way: string
  concurrency: number
  requests: number
  p50Ms: number
  p99Ms: number
  perSecond: number
  /** Bytes of the last answer. */
  bytes: number
  /** CPU per call (user + system) of the process serving it, when it is metered. */
  cpuMs?: number
  errors: number
}

/** Every figure this benchmark printed, by row, and the goal lines. */
export interface OverheadFigures {
  rows: Array<{ what: string, figures: WayFigures[] }>
  goals: string[]
}

/** How much CPU a process has used, in seconds, and what one reading costs it. */
interface Meter {
  read: () => Promise<number>
  cost: number
}

interface Way {
  name: string
  call: () => Promise<number>
  /** The process serving it, whose CPU is counted per call (our server, the original helper). */
  meter?: Meter
  /** Count failed calls instead of stopping the benchmark (a peer that answers errors with 200). */
  tolerant?: boolean
}

interface Sim {
  child: ChildProcess
  url: string
  username: string
  password: string
  fingerprint: string
}

interface Server {
  child: ChildProcess
  url: string
  pool: Pool
  /** The server's own `process.cpuUsage()`, read from /metrics. */
  meter: Meter
  inspector?: string
}

/** Runs the benchmark, prints the table and the goals, and answers every figure. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<OverheadFigures> {
  const { values } = parseArgs({ args: argv, strict: false, options: { quick: { type: 'boolean', default: false }, src: { type: 'boolean', default: false }, 'no-python': { type: 'boolean', default: false } } })
  const quick = values.quick === true
  const fromSrc = values.src === true
  const count = (full: number, min = 8): number => quick ? Math.max(min, Math.round(full / 4)) : full
  const scratch = mkdtempSync(join(tmpdir(), 'sah-bench-overhead-'))
  const out: OverheadFigures = { rows: [], goals: [] }
  const notes: string[] = []
  const stale = distStale()
  const runner = fromSrc ? ['--import', 'tsx', 'src/cli.ts'] : ['dist/src/cli.js']
  if (!fromSrc && !existsSync(join(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is not built: run `npm run build` first (or pass --src)')
  if (!fromSrc && stale) notes.push('dist/ is older than src/ (run `npm run build`): the server measured is the last build, not the source as it is now')
  notes.push(`server and simulator from ${fromSrc ? 'src/ (tsx)' : 'dist/'}; ${quick ? '--quick' : 'full'} run; ${ROUNDS} interleaved rounds per row; load from this process through undici Pools`)
  const children: ChildProcess[] = []
  const pools: Pool[] = []
  const started = performance.now()
  const progress = (what: string): void => { process.stderr.write(`[overhead ${((performance.now() - started) / 1000).toFixed(0)}s] ${what}\n`) }
  const row = (what: string, figures: WayFigures[]): WayFigures[] => {
    out.rows.push({ what, figures })
    return figures
  }
  const goal = (line: string, pass: boolean | undefined): void => { out.goals.push(pass === undefined ? line : `${line}: ${pass ? 'PASS' : 'MISS'}`) }

  try {
    progress('starting the 12-VM simulator and the server')
    const sim12 = await startSim(12, runner, scratch)
    children.push(sim12.child)
    const server = await startServer(sim12, runner, join(scratch, 'server12'))
    children.push(server.child)
    pools.push(server.pool)
    const idle = await idleMemory(server)
    const direct = await directClient(sim12)
    pools.push(direct.pool)
    const vms = JSON.parse(await direct.text('/rest/v1/VirDomain')) as Array<{ uuid: string }>
    const uuid = vms[0]?.uuid ?? ''
    const one = `/rest/v1/VirDomain/${uuid}`
    const list = '/rest/v1/VirDomain'
    const directOne: Way = { name: 'direct GET /VirDomain/<uuid>', call: direct.get(one) }
    const directList: Way = { name: 'direct GET /VirDomain', call: direct.get(list) }
    const runApiOne: Way = { name: 'run_api GET /VirDomain/<uuid>', call: tool(server, 'run_api', { query: `/VirDomain/${uuid}`, method: 'GET' }), meter: server.meter }
    const runApiList: Way = { name: 'run_api GET /VirDomain', call: tool(server, 'run_api', { query: '/VirDomain', method: 'GET' }), meter: server.meter }

    progress('run_api one VM, c1 and c16')
    for (const c of [1, 16]) {
      const [a, b] = row(`run_api one VM, c${c}`, await compare([directOne, runApiOne], c, count(c === 1 ? 1000 : 3000))) as [WayFigures, WayFigures]
      if (c === 1) goal(`run_api one VM c1: ${added(a, b)} p50 over direct (goal ≤ 0.3 ms)`, b.p50Ms - a.p50Ms <= 0.3)
      else goal(`run_api one VM c16: ${ratio(b.perSecond, a.perSecond)} the direct rate (goal ≥ 0.5x)`, b.perSecond / a.perSecond >= 0.5)
    }
    progress('run_api 12-VM list, c16')
    {
      const [a, b] = row('run_api 12-VM list, c16', await compare([directList, runApiList], 16, count(1500))) as [WayFigures, WayFigures]
      goal(`run_api 12-VM list c16: ${ratio(b.perSecond, a.perSecond)} the direct rate (goal ≥ 0.5x)`, b.perSecond / a.perSecond >= 0.5)
    }
    progress('typed reads: get_vm c1 and c16, list_vms c1')
    const getVm: Way = { name: 'get_vm', call: tool(server, 'get_vm', { vm: uuid }), meter: server.meter }
    for (const c of [1, 16]) {
      const [a, b] = row(`get_vm, c${c}`, await compare([directOne, getVm], c, count(c === 1 ? 600 : 1500))) as [WayFigures, WayFigures]
      if (c === 1) goal(`get_vm c1: ${added(a, b)} p50 over direct (goal ≤ 0.3 ms)`, b.p50Ms - a.p50Ms <= 0.3)
      else goal(`get_vm c16: ${ratio(b.perSecond, a.perSecond)} the direct rate (goal ≥ 0.5x)`, b.perSecond / a.perSecond >= 0.5)
    }
    const listVms: Way = { name: 'POST /list_vms', call: tool(server, 'list_vms', {}), meter: server.meter }
    {
      const [a, b] = row('list_vms 12 VMs, c1', await compare([directList, listVms], 1, count(600))) as [WayFigures, WayFigures]
      goal(`list_vms 12 VMs c1: ${added(a, b)} p50 over the direct GET /VirDomain, ${ratio(b.p50Ms, a.p50Ms)} its p50 (no goal: not a one-VM answer)`, undefined)
    }

    progress('MCP tools/call list_vms against POST /list_vms, c1')
    {
      const mcp: Way = { name: 'MCP tools/call list_vms', call: mcpTool(server, 'list_vms', {}), meter: server.meter }
      const [a, b] = row('MCP against HTTP, list_vms, c1', await compare([listVms, mcp], 1, count(800))) as [WayFigures, WayFigures]
      goal(`MCP tools/call list_vms c1 (raw JSON-RPC, 2026-07-28): ${ratio(b.perSecond, a.perSecond)} the rate of POST /list_vms (goal ≥ 0.9x); answer ${ratio(b.bytes, a.bytes)} the bytes (${b.bytes} against ${a.bytes})`, b.perSecond / a.perSecond >= 0.9)
    }

    progress('the original Python helper')
    const peer = values['no-python'] === true ? { skip: 'left out (--no-python)' } : await startPeer(sim12, direct, scratch)
    if ('skip' in peer) {
      goal(`original helper: skipped: ${peer.skip}`, undefined)
    } else {
      children.push(peer.child)
      pools.push(peer.pool)
      for (const [label, ours, path, query] of [['one VM', runApiOne, one, `/VirDomain/${uuid}`], ['12-VM list', runApiList, list, '/VirDomain']] as const) {
        const theirs: Way = { name: `original helper run_api ${path.replace(uuid, '<uuid>').replace('/rest/v1', '')}`, call: peerCall(peer.pool, query), meter: procMeter(peer.child.pid ?? 0), tolerant: true }
        for (const c of [1, 16]) {
          const [a, b] = row(`original helper, ${label}, c${c}`, await compare([theirs, ours], c, count(c === 1 ? 200 : 480))) as [WayFigures, WayFigures]
          const x = b.perSecond / a.perSecond
          const errors = a.errors > 0 ? ` (the helper failed ${a.errors} of ${a.requests} calls)` : ''
          if (c === 16) goal(`original helper ${label} c16: ours ${x.toFixed(1)}x its rate${errors} (goal ≥ 10x)`, x >= 10)
          else goal(`original helper ${label} c1: ours ${x.toFixed(1)}x its rate, p50 ${a.p50Ms.toFixed(2)} ms against ours ${b.p50Ms.toFixed(2)} ms${errors}`, undefined)
        }
      }
      await stopProcess(peer.child)
    }
    await stopProcess(server.child)

    progress('start times')
    const starts = await startTimes(sim12, runner, { fromSrc, stale, withNode: !quick }, scratch, quick ? 3 : 5)
    for (const line of starts.lines) goal(line.text, line.pass)

    progress('memory')
    const memory = await memoryAfterGc(sim12, runner, join(scratch, 'memory'), uuid, count(2000, 400))
    goal(`idle RSS of the started server: ${(idle.rss / MB).toFixed(0)} MB (goal < 100 MB); /metrics says RSS ${(idle.metricsRss / MB).toFixed(0)} MB, heap used ${(idle.heapUsed / MB).toFixed(0)} MB (no GC)`, idle.rss < 100 * MB)
    goal(`after start and a GC (a second server, --inspect): RSS ${(memory.idle.rss / MB).toFixed(0)} MB, heap used ${(memory.idle.heapUsed / MB).toFixed(1)} MB; after ${memory.calls} more calls and a GC: RSS ${(memory.loaded.rss / MB).toFixed(0)} MB, heap used ${(memory.loaded.heapUsed / MB).toFixed(1)} MB (flatness over 2 minutes: npm run bench -- soak)`, undefined)
    await stopProcess(sim12.child)

    for (const vmCount of [2000, 10_000]) {
      progress(`list_vms on ${vmCount.toLocaleString('en')} VMs`)
      const sim = await startSim(vmCount, runner, scratch)
      children.push(sim.child)
      const big = await startServer(sim, runner, join(scratch, `server${vmCount}`))
      children.push(big.child)
      pools.push(big.pool)
      const d = await directClient(sim)
      pools.push(d.pool)
      const n = vmCount === 2000 ? count(16, 4) : count(6, 2)
      const ways: Way[] = [{ name: 'direct GET /VirDomain', call: d.get(list) }, { name: 'POST /list_vms', call: tool(big, 'list_vms', {}), meter: big.meter }]
      const [a, b] = row(`list_vms ${vmCount.toLocaleString('en')} VMs, c1`, await compare(ways, 1, n, 1, Math.min(ROUNDS, n))) as [WayFigures, WayFigures]
      goal(`list_vms ${vmCount.toLocaleString('en')} VMs c1: ${ratio(b.p50Ms, a.p50Ms)} the direct GET's p50 (${b.p50Ms.toFixed(0)} ms against ${a.p50Ms.toFixed(0)} ms; goal ≤ 1.5x)`, b.p50Ms / a.p50Ms <= 1.5)
      await stopProcess(big.child)
      if (vmCount === 2000) {
        progress('profiling list_vms on 2,000 VMs')
        const top = await profileTool(sim, runner, join(scratch, 'profile'), (s) => tool(s, 'list_vms', {}), count(12, 4))
        out.goals.push(`list_vms 2,000 VMs, server self time over ${top.calls} calls (V8 profiler through the inspector; a builtin such as JSON.parse counts in its caller, e.g. parseBody): ${top.list.map((f) => `${f.name} ${f.share.toFixed(1)}%`).join(', ')}`)
        goal(`top self-time function at 2,000 VMs other than JSON.parse: ${top.top.name} ${top.top.share.toFixed(1)}% (goal < 10%)`, top.top.share < 10)
      }
      await d.pool.close()
      await stopProcess(sim.child)
    }
  } finally {
    await Promise.allSettled(pools.map(async (p) => await p.close()))
    await Promise.allSettled(children.map(stopProcess))
    rmSync(scratch, { recursive: true, force: true })
  }
  print(out, notes)
  return out
}

// ---- the processes ------------------------------------------------------------------------------------------

function baseEnv (stateDir: string): Record<string, string> {
  // Only what the children need: no npm_* variables from `npm run bench` (the server watches npm_lifecycle_event).
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? stateDir, XDG_STATE_HOME: stateDir, LOG_LEVEL: 'warn' }
}

async function startSim (vms: number, runner: string[], scratch: string): Promise<Sim> {
  const s = await startProcess(process.execPath, [...runner, 'simulate', '--vms', String(vms), '--log-level', 'warn'], {
    cwd: ROOT,
    env: baseEnv(scratch),
    ready: /SCALE_HOST=(\S+) SCALE_USERNAME=(\S+) SCALE_PASSWORD=(\S+) SCALE_TLS_FINGERPRINT=(\S+)/,
    timeoutMs: 180_000
  })
  const [, url, username, password, fingerprint] = s.match as unknown as [string, string, string, string, string]
  return { child: s.child, url, username, password, fingerprint }
}

function serverEnv (sim: Sim, stateDir: string): Record<string, string> {
  return {
    ...baseEnv(stateDir),
    HOST: '127.0.0.1',
    MCP_BEARER_TOKEN: TOKEN,
    // Thousands of calls a minute from one caller: the default limit (120) would answer most of them 429.
    RATE_LIMIT_PER_MINUTE: '1000000',
    SCALE_MODE: 'confirm',
    SCALE_AUDIT_FILE: join(stateDir, 'audit.jsonl'),
    SCALE_HOST: sim.url,
    SCALE_USERNAME: sim.username,
    SCALE_PASSWORD: sim.password,
    SCALE_TLS_FINGERPRINT: sim.fingerprint
  }
}

async function startServer (sim: Sim, runner: string[], stateDir: string, nodeArgs: string[] = []): Promise<Server> {
  const s = await startProcess(process.execPath, [...nodeArgs, ...runner, 'start'], { cwd: ROOT, env: { ...serverEnv(sim, stateDir), PORT: '0' }, ready: /listening on (http:\/\/\S+)/, timeoutMs: 120_000 })
  const url = s.match[1] as string
  const p = new Pool(url, { connections: 16 })
  const pid = s.child.pid ?? 0
  const cpu = async (): Promise<number> => {
    const res = await p.request({ method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
    const text = await res.body.text()
    const seconds = /^sah_process_cpu_seconds_total (\S+)$/m.exec(text)?.[1]
    return seconds === undefined ? procCpuSeconds(pid) : Number(seconds)
  }
  await cpu()
  const before = await cpu()
  for (let i = 0; i < 9; i++) await cpu()
  const meter = { read: cpu, cost: ((await cpu()) - before) / 10 }
  return { child: s.child, url, pool: p, meter, ...(nodeArgs.some((a) => a.startsWith('--inspect')) ? { inspector: /Debugger listening on (ws:\/\/\S+)/.exec(s.output())?.[1] ?? '' } : {}) }
}

// A process's CPU from /proc, which costs it nothing to read.
function procMeter (pid: number): Meter {
  return { read: async () => procCpuSeconds(pid), cost: 0 }
}

// utime + stime from /proc/<pid>/stat, in seconds (clock ticks of 10 ms), when /metrics has no process figures.
function procCpuSeconds (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

async function idleMemory (server: Server): Promise<{ rss: number, metricsRss: number, heapUsed: number }> {
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const res = await server.pool.request({ method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })
  const text = await res.body.text()
  const metric = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN)
  return { rss: rssBytes(server.child.pid ?? 0), metricsRss: metric('sah_process_resident_memory_bytes'), heapUsed: metric('sah_nodejs_heap_size_used_bytes') }
}

// ---- the calls ----------------------------------------------------------------------------------------------

interface Direct {
  pool: Pool
  text: (path: string) => Promise<string>
  get: (path: string) => () => Promise<number>
  login: () => Promise<string>
}

async function directClient (sim: Sim): Promise<Direct> {
  // Our own simulator child on loopback, with a certificate new at every start: not verified here.
  const p = new Pool(sim.url, { connections: 16, connect: { rejectUnauthorized: false } })
  const login = async (): Promise<string> => {
    const res = await p.request({ method: 'POST', path: '/rest/v1/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: sim.username, password: sim.password, useOIDC: false }) })
    const text = await res.body.text()
    if (res.statusCode !== 200) throw new Error(`the simulator's login answered ${res.statusCode}: ${text.slice(0, 200)}`)
    return (JSON.parse(text) as { sessionID: string }).sessionID
  }
  let session = await login()
  const text = async (path: string): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      const res = await p.request({ method: 'GET', path, headers: { cookie: `sessionID=${session}`, accept: 'application/json' } })
      const body = await res.body.text()
      if (res.statusCode === 200) return body
      // A session that went idle too long during another section: log in again once.
      if (res.statusCode === 401 && attempt === 0) {
        session = await login()
        continue
      }
      throw new Error(`direct GET ${path} answered ${res.statusCode}: ${body.slice(0, 200)}`)
    }
  }
  return {
    pool: p,
    text,
    login,
    get: (path) => async () => {
      // Every way parses the answer: a client that uses the data has to.
      const body = await text(path)
      JSON.parse(body)
      return Buffer.byteLength(body)
    }
  }
}

function tool (server: Server, name: string, args: Record<string, unknown>): () => Promise<number> {
  const body = JSON.stringify(args)
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
  return async () => {
    const res = await server.pool.request({ method: 'POST', path: `/${name}`, headers, body })
    const text = await res.body.text()
    if (res.statusCode !== 200) throw new Error(`POST /${name} answered ${res.statusCode}: ${text.slice(0, 300)}`)
    JSON.parse(text)
    return Buffer.byteLength(text)
  }
}

let rpcId = 0

function mcpTool (server: Server, name: string, args: Record<string, unknown>): () => Promise<number> {
  const headers = {
    authorization: `Bearer ${TOKEN}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': name
  }
  return async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method: 'tools/call', params: { name, arguments: args, _meta: META } })
    const res = await server.pool.request({ method: 'POST', path: '/mcp', headers, body })
    const text = await res.body.text()
    // The answer is JSON, or one event of an event stream.
    const data = text.split('\n').find((line) => line.startsWith('data: '))
    const message = JSON.parse(data === undefined ? text : data.slice('data: '.length)) as { result?: { isError?: boolean }, error?: unknown }
    if (res.statusCode !== 200 || message.result === undefined || message.result.isError === true) throw new Error(`MCP tools/call ${name} answered ${res.statusCode}: ${text.slice(0, 300)}`)
    return Buffer.byteLength(text)
  }
}

// ---- comparing ----------------------------------------------------------------------------------------------

/** Runs the ways in turns (A B B A ...) at one concurrency, `total` calls each, after a warm-up that is not counted. */
// A few hundred calls of each way before measuring: V8 optimises a function only after many calls, so the first
// hundred calls of a fresh server (or peer) measure the compiler, not the steady state a running server is in.
const WARMUP_CALLS = 300

async function compare (ways: Way[], concurrency: number, total: number, warmup = Math.max(WARMUP_CALLS, concurrency * 20), rounds = ROUNDS): Promise<WayFigures[]> {
  const runs = ways.map(() => ({ latencies: [] as number[], seconds: 0, requests: 0, cpu: 0, bytes: 0, errors: 0 }))
  const calls = ways.map((way, i) => async (): Promise<void> => {
    const run = runs[i] as typeof runs[number]
    try {
      run.bytes = await way.call()
    } catch (err) {
      if (way.tolerant !== true) throw err
      run.errors++
    }
  })
  for (const call of calls) await pool(concurrency, warmup, call)
  for (const run of runs) run.errors = 0
  const per = Math.ceil(total / rounds)
  for (let round = 0; round < rounds; round++) {
    const order = ways.map((_, i) => i)
    if (round % 2 === 1) order.reverse()
    for (const i of order) {
      const way = ways[i] as Way
      const run = runs[i] as typeof runs[number]
      const cpu0 = way.meter === undefined ? 0 : await way.meter.read()
      run.seconds += await timed(concurrency, per, calls[i] as () => Promise<void>, run.latencies)
      if (way.meter !== undefined) run.cpu += (await way.meter.read()) - cpu0 - way.meter.cost
      run.requests += per
    }
  }
  return ways.map((way, i) => {
    const run = runs[i] as typeof runs[number]
    run.latencies.sort((a, b) => a - b)
    return {
      way: way.name,
      concurrency,
      requests: run.requests,
      p50Ms: percentile(run.latencies, 50),
      p99Ms: percentile(run.latencies, 99),
      perSecond: run.requests / run.seconds,
      bytes: run.bytes,
      ...(way.meter === undefined ? {} : { cpuMs: Math.max(0, run.cpu) * 1000 / run.requests }),
      errors: run.errors
    }
  })
}

const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`
const added = (a: WayFigures, b: WayFigures): string => `${b.p50Ms - a.p50Ms >= 0 ? '+' : ''}${(b.p50Ms - a.p50Ms).toFixed(2)} ms`

// ---- the original helper ------------------------------------------------------------------------------------

async function startPeer (sim: Sim, direct: Direct, scratch: string): Promise<{ skip: string } | { child: ChildProcess, pool: Pool }> {
  if (!existsSync(PEER)) return { skip: `${PEER} is not there` }
  const python = ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', 'import fastapi, httpx, uvicorn'], { stdio: 'ignore' }).status === 0)
  if (python === undefined) return { skip: 'no python3 with fastapi, httpx and uvicorn (apt-get install -y python3-fastapi python3-httpx python3-uvicorn)' }
  // Its own login, kept as the pickled headers it reads on every call.
  const sessionFile = join(scratch, 'session.p')
  const pickled = spawnSync(python, ['-c', 'import pickle, sys; pickle.dump({"Cookie": "sessionID=" + sys.argv[1]}, open(sys.argv[2], "wb"))', await direct.login(), sessionFile])
  if (pickled.status !== 0) return { skip: `cannot write its session file: ${String(pickled.stderr)}` }
  const port = await freePort()
  const child = spawn(python, [PEER, String(port)], {
    cwd: scratch,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: scratch, SEED_HOST: new URL(sim.url).host, SEED_SESSION: sessionFile, SEED_TOKEN: TOKEN },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let err = ''
  child.stderr?.on('data', (chunk) => { err += String(chunk) })
  const p = new Pool(`http://127.0.0.1:${port}`, { connections: 16 })
  const probe = peerCall(p, '/VirDomain')
  for (let i = 0; ; i++) {
    try {
      await probe()
      return { child, pool: p }
    } catch (e) {
      if (child.exitCode !== null || i >= 200) {
        await p.close()
        await stopProcess(child)
        return { skip: `it did not answer: ${(e as Error).message} ${err.slice(-500)}` }
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

function peerCall (p: Pool, query: string): () => Promise<number> {
  const body = JSON.stringify({ query, method: 'GET' })
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
  return async () => {
    const res = await p.request({ method: 'POST', path: '/run_api', headers, body })
    const text = await res.body.text()
    // It answers its failures with 200 and {"error": ...}; a read answers an array.
    if (res.statusCode !== 200 || !Array.isArray(JSON.parse(text))) throw new Error(`the original helper answered ${res.statusCode}: ${text.slice(0, 200)}`)
    return Buffer.byteLength(text)
  }
}

// ---- start times --------------------------------------------------------------------------------------------

const TOOLS_LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } })
const BARE_HTTP = "require('http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('{\"status\":\"ok\"}') }).listen(Number(process.env.PORT), '127.0.0.1')"
const BARE_STDIO = "process.stdin.once('data', () => { process.stdout.write('{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[]}}\\n') })"

async function startTimes (sim: Sim, runner: string[], opts: { fromSrc: boolean, stale: boolean, withNode: boolean }, scratch: string, runs: number): Promise<{ lines: Array<{ text: string, pass: boolean | undefined }> }> {
  const { fromSrc, stale } = opts
  const env = serverEnv(sim, join(scratch, 'starts'))
  const dist = existsSync(join(ROOT, 'dist', 'src', 'cli.js'))
  // With a stale dist/, `npm start` would compile first; --ignore-scripts leaves out prestart and times what is built.
  const npmArgs = stale ? ['start', '--ignore-scripts'] : ['start']
  const ways: Array<[string, () => Promise<number>]> = [
    ['bare Node /health', async () => await toHealth(process.execPath, ['-e', BARE_HTTP], env)],
    ...(dist ? [[`npm ${npmArgs.join(' ')} /health`, async () => await toHealth('npm', npmArgs, env)]] as Array<[string, () => Promise<number>]> : []),
    // npm start without npm, to show what npm adds (full runs only).
    ...(opts.withNode ? [[`node ${runner.join(' ')} start /health`, async () => await toHealth(process.execPath, [...runner, 'start'], env)]] as Array<[string, () => Promise<number>]> : []),
    ['bare Node stdio', async () => await toToolsList(process.execPath, ['-e', BARE_STDIO], env)],
    [`node ${runner.join(' ')} mcp tools/list`, async () => await toToolsList(process.execPath, [...runner, 'mcp'], env)]
  ]
  const times = new Map<string, number[]>(ways.map(([name]) => [name, []]))
  for (let i = 0; i < runs; i++) {
    for (const [name, run] of ways) times.get(name)?.push(await run())
  }
  const m = (name: string): number => median(times.get(name) ?? [])
  const s = (x: number): string => `${x.toFixed(2)} s`
  const all = (name: string): string => (times.get(name) ?? []).map((t) => t.toFixed(2)).join(', ')
  const bareHttp = m('bare Node /health')
  const bareStdio = m('bare Node stdio')
  const lines: Array<{ text: string, pass: boolean | undefined }> = []
  const npm = `npm ${npmArgs.join(' ')} /health`
  if (dist) lines.push({ text: `npm start to the first /health 200: median ${s(m(npm))} of ${runs} (${all(npm)})${stale ? ' with --ignore-scripts (dist/ is stale; prestart would compile)' : ''}, ${ratio(m(npm), bareHttp)} bare Node's ${s(bareHttp)} (goal < 1 s)`, pass: m(npm) < 1 })
  else lines.push({ text: 'npm start: skipped: dist/ is not built', pass: undefined })
  const node = `node ${runner.join(' ')} start /health`
  if (opts.withNode) lines.push({ text: `${node.replace(' /health', '')} to the first /health 200: median ${s(m(node))} (${all(node)}), ${ratio(m(node), bareHttp)} bare Node${fromSrc ? ' (from src/ through tsx)' : ''}`, pass: undefined })
  const mcp = `node ${runner.join(' ')} mcp tools/list`
  lines.push({ text: `scale-api-helper mcp (${runner.join(' ')}) to a tools/list answer: median ${s(m(mcp))} of ${runs} (${all(mcp)}), ${ratio(m(mcp), bareStdio)} bare Node's ${s(bareStdio)} (goal < 1 s)`, pass: fromSrc ? undefined : m(mcp) < 1 })
  return { lines }
}

// Whole-process time from spawn to the first 200 from /health, polled every 5 ms with a new connection each time.
async function toHealth (command: string, args: string[], env: Record<string, string>): Promise<number> {
  const port = await freePort()
  const t0 = performance.now()
  const child = spawn(command, args, { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: 'ignore', detached: true })
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited with ${child.exitCode} before /health answered`)
      if (await healthy(port)) return (performance.now() - t0) / 1000
      if (performance.now() - t0 > 60_000) throw new Error(`${command} ${args.join(' ')}: no /health in 60 s`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    await stopProcess(child)
  }
}

async function healthy (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const req = httpGet({ host: '127.0.0.1', port, path: '/health', agent: false }, (res) => {
      res.resume()
      res.once('end', () => { resolve(res.statusCode === 200) })
    })
    req.once('error', () => { resolve(false) })
  })
}

// Whole-process time from spawn to the answer of a 2026-07-28 tools/list written at once to its stdin.
async function toToolsList (command: string, args: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now()
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'ignore'], detached: true })
  try {
    return await new Promise<number>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => { reject(new Error(`${command} ${args.join(' ')}: no tools/list answer in 60 s`)) }, 60_000)
      child.stdout?.on('data', (chunk) => {
        out += String(chunk)
        if (/"id":1\b/.test(out) && out.includes('\n')) {
          clearTimeout(timer)
          resolve((performance.now() - t0) / 1000)
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`${command} ${args.join(' ')} exited with ${String(code)} before answering tools/list`))
      })
      child.stdin?.write(TOOLS_LIST + '\n')
    })
  } finally {
    child.stdin?.end()
    await stopProcess(child)
  }
}

// ---- memory and profile, through the inspector ---------------------------------------------------------------

/** A Chrome DevTools Protocol session over the inspector's WebSocket. */
class Inspector {
  readonly #ws: WebSocket
  readonly #waiting = new Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>()
  #id = 0

  private constructor (ws: WebSocket) {
    this.#ws = ws
    ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number, result?: unknown, error?: { message: string } }
      const waiter = message.id === undefined ? undefined : this.#waiting.get(message.id)
      if (waiter === undefined || message.id === undefined) return
      this.#waiting.delete(message.id)
      if (message.error !== undefined) waiter.reject(new Error(message.error.message))
      else waiter.resolve(message.result)
    })
  }

  /** Connects to a `ws://127.0.0.1:…` inspector URL. */
  static async open (url: string): Promise<Inspector> {
    const ws = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => { resolve() }, { once: true })
      ws.addEventListener('error', () => { reject(new Error(`cannot reach the inspector at ${url}`)) }, { once: true })
    })
    return new Inspector(ws)
  }

  /** Sends one command and answers its result. */
  async send (method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = ++this.#id
    return await new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject })
      this.#ws.send(JSON.stringify({ id, method, params }))
    })
  }

  /** `process.memoryUsage()` in the inspected process, after `gc` full collections when asked. */
  async memory (gc: boolean): Promise<{ rss: number, heapUsed: number }> {
    if (gc) {
      await this.send('HeapProfiler.collectGarbage')
      await this.send('HeapProfiler.collectGarbage')
    }
    const answer = await this.send('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true }) as { result: { value: string } }
    return JSON.parse(answer.result.value) as { rss: number, heapUsed: number }
  }

  close (): void {
    this.#ws.close()
  }
}

async function memoryAfterGc (sim: Sim, runner: string[], stateDir: string, uuid: string, calls: number): Promise<{ idle: { rss: number, heapUsed: number }, loaded: { rss: number, heapUsed: number }, calls: number }> {
  const server = await startServer(sim, runner, stateDir, ['--inspect=127.0.0.1:0'])
  const inspector = await Inspector.open(server.inspector ?? '')
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const idle = await inspector.memory(true)
    const mix = [
      tool(server, 'run_api', { query: `/VirDomain/${uuid}`, method: 'GET' }),
      tool(server, 'run_api', { query: '/VirDomain', method: 'GET' }),
      tool(server, 'get_vm', { vm: uuid }),
      tool(server, 'list_vms', {}),
      mcpTool(server, 'list_vms', {})
    ]
    let i = 0
    await pool(16, calls, async () => await (mix[i++ % mix.length] as () => Promise<number>)())
    const loaded = await inspector.memory(true)
    return { idle, loaded, calls }
  } finally {
    inspector.close()
    await server.pool.close()
    await stopProcess(server.child)
  }
}

interface CpuProfile {
  nodes: Array<{ id: number, hitCount?: number, callFrame: { functionName: string, url: string, lineNumber: number } }>
}

async function profileTool (sim: Sim, runner: string[], stateDir: string, callOf: (server: Server) => () => Promise<number>, calls: number): Promise<{ calls: number, list: Array<{ name: string, share: number }>, top: { name: string, share: number } }> {
  const server = await startServer(sim, runner, stateDir, ['--inspect=127.0.0.1:0'])
  const inspector = await Inspector.open(server.inspector ?? '')
  try {
    const call = callOf(server)
    await call()
    await inspector.send('Profiler.enable')
    await inspector.send('Profiler.setSamplingInterval', { interval: 200 })
    await inspector.send('Profiler.start')
    for (let i = 0; i < calls; i++) await call()
    const { profile } = await inspector.send('Profiler.stop') as { profile: CpuProfile }
    const self = new Map<string, number>()
    let total = 0
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0
      const { functionName, url, lineNumber } = node.callFrame
      if (functionName === '(idle)' || hits === 0) continue
      total += hits
      const file = url === '' ? '' : ` ${url.replace(/^file:\/\//, '').replace(ROOT + '/', '').replace(/^.*node_modules\//, '')}:${lineNumber + 1}`
      const name = `${functionName === '' ? '(anonymous)' : functionName}${file}`
      self.set(name, (self.get(name) ?? 0) + hits)
    }
    const ranked = [...self.entries()].sort((a, b) => b[1] - a[1]).map(([name, hits]) => ({ name, share: hits / total * 100 }))
    // The goal leaves out JSON.parse and the engine's own pseudo-frames (GC, program).
    const top = ranked.find((f) => !f.name.startsWith('parse') && !f.name.startsWith('JSON.parse') && !f.name.startsWith('(')) ?? { name: 'none', share: 0 }
    return { calls, list: ranked.slice(0, 6), top }
  } finally {
    inspector.close()
    await server.pool.close()
    await stopProcess(server.child)
  }
}

// ---- the build and the table --------------------------------------------------------------------------------

// As scripts/build.mjs --if-stale decides: a source newer than dist/.build-stamp.
function distStale (): boolean {
  const newest = (path: string): number => {
    try {
      const info = statSync(path)
      return info.isDirectory() ? readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), info.mtimeMs) : info.mtimeMs
    } catch {
      return 0
    }
  }
  let built = -1
  try {
    built = statSync(join(ROOT, 'dist', '.build-stamp')).mtimeMs
  } catch {}
  return built < Math.max(...['src', 'routes', 'plugins', 'tsconfig.json', 'package.json', 'package-lock.json', 'scripts/build.mjs'].map((s) => newest(join(ROOT, s))))
}

function print (out: OverheadFigures, notes: string[]): void {
  const head = ['what', 'way', 'conc', 'calls', 'p50 ms', 'p99 ms', 'calls/s', 'bytes', 'against the first', 'CPU/call']
  const lines: string[][] = []
  for (const { what, figures } of out.rows) {
    const [a] = figures as [WayFigures]
    for (const [i, f] of figures.entries()) {
      lines.push([
        i === 0 ? what : '',
        f.way + (f.errors > 0 ? ` (${f.errors} failed)` : ''),
        String(f.concurrency),
        String(f.requests),
        f.p50Ms.toFixed(2),
        f.p99Ms.toFixed(2),
        f.perSecond.toFixed(f.perSecond < 10 ? 2 : 0),
        f.bytes.toLocaleString('en'),
        i === 0 ? '' : `${ratio(f.perSecond, a.perSecond)} rate, ${added(a, f)} p50`,
        f.cpuMs === undefined ? '' : `${f.cpuMs.toFixed(2)} ms`
      ])
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)))
  const fmt = (cells: string[]): string => cells.map((c, i) => (i >= 2 && i <= 7 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ').trimEnd()
  const text = [
    'What the server adds to a cluster call: the simulator and the server each in their own process, loopback, ratios from one run',
    ...notes.map((n) => `  (${n})`),
    '  (CPU/call: user + system CPU of the process that serves the way, per call: our server\'s own process.cpuUsage() from /metrics; the original helper\'s from /proc)',
    '',
    fmt(head),
    ...lines.map(fmt),
    '',
    'Goals (issue 20):',
    ...out.goals.map((g) => `  ${g}`)
  ]
  process.stdout.write(text.join('\n') + '\n')
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
}
