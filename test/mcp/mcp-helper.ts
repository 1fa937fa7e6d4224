import { EventEmitter, once } from 'node:events'
import { request as httpRequest } from 'node:http'
import type { TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { Agent, fetch as undiciFetch } from 'undici'
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from '@modelcontextprotocol/client'
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as V1Http } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { Transport as V1Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { AuditLog, type AuditEntry } from '../../src/gate/audit.js'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor, ManualClock, type RunningSimulator } from '../../src/simulator/index.js'
import { authFileFor, buildTestApp, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'

/** Tokens of the callers every MCP test app knows, by role. */
export const TOKEN = {
  reader: 'reader-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef'
} as const

/** One of the test callers. */
export type Who = keyof typeof TOKEN

/** The caller names TOKEN's tokens belong to. */
export const NAME: Record<Who, string> = { reader: 'rita', operator: 'otto', admin: 'ada' }

/** An AUTH_FILE naming the test callers (tokens stored as SHA-256, as an operator would). */
export function authFile (): string {
  return authFileFor(Object.entries(TOKEN).map(([role, token]) => ({ name: NAME[role as Who], role, token })))
}

/** The audit lines of an app, kept in memory, with a way to wait for the next one that matches. */
export class AuditTrail {
  readonly entries: AuditEntry[] = []
  readonly #events = new EventEmitter()
  readonly log = new AuditLog('memory', {
    append: async (line) => {
      const entry = JSON.parse(line) as AuditEntry
      this.entries.push(entry)
      this.#events.emit('entry', entry)
    },
    close: async () => {}
  }, { debug () {}, info () {}, warn () {}, error () {} })

  /** Resolves with the first entry (already written or still to come) that matches. */
  async waitFor (match: (e: AuditEntry) => boolean): Promise<AuditEntry> {
    const seen = this.entries.find(match)
    if (seen !== undefined) return seen
    for (;;) {
      const [entry] = await once(this.#events, 'entry') as [AuditEntry]
      if (match(entry)) return entry
    }
  }
}

/** A listening app with the simulator behind it. */
export interface McpSetup {
  app: FastifyInstance
  url: URL
  sim: RunningSimulator
  /** The simulator's clock: tasks stay where they are until it is advanced. */
  clock: ManualClock
  audit: AuditTrail
  /** Moves the app's clock (confirm tokens, session expiry) forward. */
  advance: (ms: number) => void
}

/** The app on 127.0.0.1:0 with AUTH_FILE callers and a simulator whose tasks wait for the test's clock. */
export async function mcpSetup (t: TestContext, env: Record<string, string> = {}): Promise<McpSetup> {
  const clock = new ManualClock()
  const sim = await startTestSimulator(t, { clock, vms: 6 })
  const cluster = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 10_000 }), { taskPollDelaysMs: [5] })
  t.after(() => cluster.close())
  const audit = new AuditTrail()
  let now = Date.parse('2026-11-25T12:00:00Z')
  const app = await buildTestApp(t, testConfig({ AUTH_FILE: authFile(), ...env }), {
    cluster,
    clusterInfo: { mode: 'simulator', cluster: cluster.host },
    audit: audit.log,
    now: () => now
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  return { app, url: new URL(`http://127.0.0.1:${port}/mcp`), sim, clock, audit, advance (ms) { now += ms } }
}

/** What a test needs from an MCP client, whichever SDK and protocol version it is. */
export interface McpTestClient {
  /** The protocol version in use. */
  version: string
  listTools: () => Promise<Array<{ name: string, title?: string, description?: string, inputSchema: unknown, outputSchema?: unknown, annotations?: Record<string, unknown> }>>
  callTool: (name: string, args: Record<string, unknown>, opts?: { onprogress?: (p: { progress: number, total?: number }) => void, signal?: AbortSignal }) => Promise<ToolResult>
  listResources: () => Promise<Array<{ uri: string, name: string }>>
  listResourceTemplates: () => Promise<Array<{ uriTemplate: string }>>
  readResource: (uri: string) => Promise<Array<{ uri: string, mimeType?: string, text?: string }>>
  getPrompt: (name: string, args?: Record<string, string>) => Promise<{ messages: Array<{ role: string, content: { type: string, text?: string } }> }>
  /** Completes the operationId of the operation resource template. */
  completeOperationId: (value: string) => Promise<{ values: string[], total?: number, hasMore?: boolean }>
  close: () => Promise<void>
}

/** A tool call's result as both SDKs give it. */
export interface ToolResult {
  isError?: boolean
  content: Array<{ type: string, text?: string }>
  structuredContent?: Record<string, any>
}

/** How the person answers a confirmation form; undefined: the client cannot ask at all. */
export type Answer = { action: 'accept', content: { decision: string } } | { action: 'decline' } | { action: 'cancel' }

/** The answers a client gives, in turn, and the questions it was asked. */
export interface Person {
  answers: Answer[]
  asked: string[]
}

/** A person who answers the next confirmations with these answers. */
export function person (...answers: Answer[]): Person {
  return { answers, asked: [] }
}

function answer (who: Person, message: string): Answer {
  who.asked.push(message)
  const next = who.answers.shift()
  if (next === undefined) throw new Error(`the test person was asked more than expected: ${message}`)
  return next
}

/** Fetch options that send a bearer token (and other headers) and, when given, reach 127.0.0.1 under another name. */
export interface ConnectOptions {
  token?: string
  headers?: Record<string, string>
  /** A fetch whose DNS sends every name to 127.0.0.1 (fetch itself never lets a caller set Host). */
  fetch?: typeof fetch
}

/**
 * The v2 client (`@modelcontextprotocol/client`): negotiating 2026-07-28 (`versionNegotiation: auto`), or on its
 * default 2025-11-25 (initialize and a session) with `legacy`.
 */
export async function v2Client (t: TestContext, url: URL, opts: ConnectOptions & { person?: Person, legacy?: boolean } = {}): Promise<McpTestClient> {
  const client = new V2Client({ name: 'test-v2', version: '2.0.0' }, {
    ...(opts.legacy === true ? {} : { versionNegotiation: { mode: 'auto' as const } }),
    capabilities: opts.person === undefined ? {} : { elicitation: { form: {} } }
  })
  const who = opts.person
  if (who !== undefined) client.setRequestHandler('elicitation/create', async (req) => answer(who, (req.params as { message: string }).message))
  await client.connect(new V2Http(url, { requestInit: { headers: headersOf(opts) }, ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }) }))
  t.after(() => client.close())
  return fromV2Client(client)
}

/** A connected v2 client as the tests use it, over any transport. */
export function fromV2Client (client: V2Client): McpTestClient {
  return {
    version: client.getNegotiatedProtocolVersion() ?? 'unknown',
    listTools: async () => (await client.listTools()).tools,
    callTool: async (name, args, o = {}) => await client.callTool({ name, arguments: args }, o) as ToolResult,
    listResources: async () => (await client.listResources()).resources,
    listResourceTemplates: async () => (await client.listResourceTemplates()).resourceTemplates,
    readResource: async (uri) => (await client.readResource({ uri })).contents as Array<{ uri: string, mimeType?: string, text?: string }>,
    getPrompt: async (name, args) => await client.getPrompt({ name, ...(args === undefined ? {} : { arguments: args }) }) as Awaited<ReturnType<McpTestClient['getPrompt']>>,
    completeOperationId: async (value) => (await client.complete({ ref: { type: 'ref/resource', uri: 'hypercore://operations/{operationId}' }, argument: { name: 'operationId', value } })).completion,
    close: async () => { await client.close() }
  }
}

/** The v1 client (`@modelcontextprotocol/sdk`, 2025-11-25: initialize, a session, elicitation/create). */
export async function v1Client (t: TestContext, transport: V1Transport, opts: { person?: Person } = {}): Promise<McpTestClient & { sessionId: () => string | undefined }> {
  const client = new V1Client({ name: 'test-v1', version: '1.0.0' }, { capabilities: opts.person === undefined ? {} : { elicitation: { form: {} } } })
  const who = opts.person
  if (who !== undefined) client.setRequestHandler(ElicitRequestSchema, async (req) => answer(who, req.params.message))
  await client.connect(transport)
  t.after(() => client.close())
  return {
    version: '2025-11-25',
    sessionId: () => transport.sessionId,
    listTools: async () => (await client.listTools()).tools,
    callTool: async (name, args, o = {}) => await client.callTool({ name, arguments: args }, undefined, o) as ToolResult,
    listResources: async () => (await client.listResources()).resources,
    listResourceTemplates: async () => (await client.listResourceTemplates()).resourceTemplates,
    readResource: async (uri) => (await client.readResource({ uri })).contents as Array<{ uri: string, mimeType?: string, text?: string }>,
    getPrompt: async (name, args) => await client.getPrompt({ name, ...(args === undefined ? {} : { arguments: args }) }) as Awaited<ReturnType<McpTestClient['getPrompt']>>,
    completeOperationId: async (value) => (await client.complete({ ref: { type: 'ref/resource', uri: 'hypercore://operations/{operationId}' }, argument: { name: 'operationId', value } })).completion,
    close: async () => { await client.close() }
  }
}

/** The v1 client over Streamable HTTP. */
export async function v1HttpClient (t: TestContext, url: URL, opts: ConnectOptions & { person?: Person } = {}): Promise<McpTestClient & { sessionId: () => string | undefined }> {
  const transport = new V1Http(url, { requestInit: { headers: headersOf(opts) }, ...(opts.fetch === undefined ? {} : { fetch: opts.fetch }) })
  return await v1Client(t, transport, opts)
}

function headersOf (opts: ConnectOptions): Record<string, string> {
  return { ...(opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` }), ...opts.headers }
}

/** A fetch that connects every host name to 127.0.0.1, so a client can send a Host this server does not answer for. */
export function fetchVia127 (t: TestContext): typeof fetch {
  const dispatcher = new Agent({
    connect: {
      lookup: ((_host: string, _opts: unknown, cb: (err: null, addresses: Array<{ address: string, family: number }>) => void) => {
        cb(null, [{ address: '127.0.0.1', family: 4 }])
      }) as never
    }
  })
  t.after(() => dispatcher.close())
  return (async (input: string | URL | Request, init?: RequestInit) => await undiciFetch(input as string, { ...(init as object), dispatcher })) as unknown as typeof fetch
}

/** A raw HTTP exchange with /mcp (any Host, any headers), answered in full. */
export async function rawRequest (url: URL, headers: Record<string, string>, body: unknown, method = 'POST'): Promise<{ status: number, headers: Record<string, string | string[] | undefined>, text: string, json: () => any }> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      agent: false,
      method,
      headers: { accept: 'application/json, text/event-stream', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }
    }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }) })
    })
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

/** The 2025-11-25 initialize request, as a raw client sends it. */
export const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }

/** The error body of a tool result ({code, message, details?}). */
export function errorOf (result: ToolResult): { code: string, message: string, details?: any } {
  if (result.isError !== true) throw new Error(`expected an isError result, got ${JSON.stringify(result).slice(0, 300)}`)
  return JSON.parse(result.content[0]?.text ?? '{}')
}

/** The structured answer of a successful tool result, checked to equal its text rendering. */
export function valueOf (result: ToolResult): Record<string, any> {
  if (result.isError === true) throw new Error(`the call failed: ${result.content[0]?.text ?? ''}`)
  const value = result.structuredContent
  if (value === undefined) throw new Error('no structuredContent')
  if (JSON.stringify(JSON.parse(result.content[0]?.text ?? 'null')) !== JSON.stringify(value)) throw new Error('the text rendering differs from structuredContent')
  return value
}
