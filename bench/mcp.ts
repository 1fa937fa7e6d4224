/**
 * MCP over Streamable HTTP: latency of `tools/list` and `tools/call` (query_api, and run_api reading
 * `GET /VirDomain` from the embedded simulator) through the SDKs' own clients, for a 2026-07-28 client (stateless:
 * a fresh server per request) and a 2025-11-25 client (one session), next to the same call on the plain HTTP face;
 * then what a 2025 session costs: the time to open one and the heap it holds, with `MCP_MAX_SESSIONS` of them open.
 * Loopback only; every loop is bounded by a request count. Run: `npx tsx bench/mcp.ts` (`--quick` for a short run).
 */
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as V1Http } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { pino } from 'pino'
import { Agent, request } from 'undici'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config/config.js'
import { createRuntime } from '../src/runtime.js'

const TOKEN = 'bench-token-0123456789abcdef'

/** Latency of one operation. */
export interface McpFigures {
  client: string
  operation: string
  requests: number
  p50Ms: number
  p99Ms: number
}

interface Caller {
  label: string
  listTools: () => Promise<unknown>
  call: (name: string, args: Record<string, unknown>) => Promise<unknown>
  close: () => Promise<void>
}

/** Runs the benchmark, prints the figures and returns them. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<McpFigures[]> {
  const { values } = parseArgs({ args: argv, strict: false, options: { quick: { type: 'boolean', default: false } } })
  const n = values.quick === true ? 100 : 500
  const sessions = values.quick === true ? 50 : 100
  const config = loadConfig({ MCP_BEARER_TOKEN: TOKEN, SIMULATOR_VMS: '50', SCALE_AUDIT_FILE: '-', LOG_LEVEL: 'silent', MCP_MAX_SESSIONS: String(sessions), MCP_MAX_SESSIONS_PER_CALLER: String(sessions), RATE_LIMIT_PER_MINUTE: '1000000' })
  const runtime = await createRuntime(config, pino({ level: 'silent' }))
  const app = await buildApp(config, runtime, { swaggerUi: false })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const url = new URL(`http://127.0.0.1:${port}/mcp`)
  const headers = { authorization: `Bearer ${TOKEN}` }
  const figures: McpFigures[] = []
  try {
    const callers = [await v2(url, headers), await v1(url, headers), plainHttp(port)]
    for (const caller of callers) {
      figures.push(await measure(caller.label, 'tools/list', n, caller.listTools))
      figures.push(await measure(caller.label, 'tools/call query_api', n, async () => await caller.call('query_api', { query: 'power on a VM' })))
      figures.push(await measure(caller.label, 'tools/call run_api GET /VirDomain', n, async () => await caller.call('run_api', { query: '/VirDomain', fields: ['uuid', 'name', 'state'], maxItems: 50 })))
      await caller.close()
    }
    printTable(figures)
    await sessionCost(url, headers, sessions)
  } finally {
    await app.close()
    await runtime.close()
  }
  return figures
}

async function v2 (url: URL, headers: Record<string, string>): Promise<Caller> {
  const client = new V2Client({ name: 'bench', version: '1' }, { versionNegotiation: { mode: 'auto' } })
  await client.connect(new V2Http(url, { requestInit: { headers } }))
  return {
    label: `v2 ${client.getNegotiatedProtocolVersion() ?? '?'}`,
    // cacheMode 'refresh': measure the server, not the client's response cache.
    listTools: async () => await client.listTools(undefined, { cacheMode: 'refresh' }),
    call: async (name, args) => await client.callTool({ name, arguments: args }),
    close: async () => { await client.close() }
  }
}

async function v1 (url: URL, headers: Record<string, string>): Promise<Caller> {
  const client = new V1Client({ name: 'bench', version: '1' })
  await client.connect(new V1Http(url, { requestInit: { headers } }))
  return {
    label: 'v1 2025-11-25 (session)',
    listTools: async () => await client.listTools(),
    call: async (name, args) => await client.callTool({ name, arguments: args }),
    close: async () => { await client.close() }
  }
}

function plainHttp (port: number): Caller {
  const dispatcher = new Agent({ connections: 4 })
  return {
    label: 'plain HTTP face',
    listTools: async () => { await (await request(`http://127.0.0.1:${port}/openapi.json`, { dispatcher, headers: { authorization: `Bearer ${TOKEN}` } })).body.text() },
    call: async (name, args) => {
      const res = await request(`http://127.0.0.1:${port}/${name}`, { method: 'POST', dispatcher, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(args) })
      return await res.body.json()
    },
    close: async () => { await dispatcher.close() }
  }
}

async function measure (client: string, operation: string, n: number, run: () => Promise<unknown>): Promise<McpFigures> {
  for (let i = 0; i < Math.min(20, n); i++) await run()
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const started = performance.now()
    await run()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  const at = (q: number): number => Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 100) / 100
  return { client, operation, requests: n, p50Ms: at(0.5), p99Ms: at(0.99) }
}

async function sessionCost (url: URL, headers: Record<string, string>, count: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const before = process.memoryUsage().heapUsed
  const clients: V1Client[] = []
  const started = performance.now()
  for (let i = 0; i < count; i++) {
    const client = new V1Client({ name: 'bench', version: '1' })
    await client.connect(new V1Http(url, { requestInit: { headers } }))
    clients.push(client)
  }
  const openMs = (performance.now() - started) / count
  gc?.()
  const perSession = (process.memoryUsage().heapUsed - before) / count
  process.stdout.write(`\n2025-11-25 sessions: ${count} open (MCP_MAX_SESSIONS=${count}); ${openMs.toFixed(2)} ms to open one (initialize + initialized + GET stream); ` +
    `${(perSession / 1024).toFixed(1)} KiB of heap each, server and client together${gc === undefined ? ' (run with --expose-gc for a steadier figure)' : ''}\n`)
  await Promise.all(clients.map(async (c) => { await c.close() }))
}

function printTable (figures: McpFigures[]): void {
  process.stdout.write('client                        operation                             requests   p50 ms   p99 ms\n')
  for (const f of figures) {
    process.stdout.write(`${f.client.padEnd(30)}${f.operation.padEnd(38)}${String(f.requests).padStart(8)}${f.p50Ms.toFixed(2).padStart(9)}${f.p99Ms.toFixed(2).padStart(9)}\n`)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
