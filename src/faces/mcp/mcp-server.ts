import { ProtocolError, ProtocolErrorCode, Server, type CallToolResult, type InputRequiredResult, type Tool } from '@modelcontextprotocol/server'
import type { Catalog } from '../../catalog/catalog.js'
import { AppError, errorBody, isAppError } from '../../errors/app-error.js'
import type { Gate } from '../../gate/gate.js'
import type { Caller, Role } from '../../gate/identity.js'
import type { Progress } from '../../gate/tool.js'
import type { Log } from '../../observe/logger.js'
import { version } from '../../lib/paths.js'
import { NeedsPerson, PersonAsker, type AskOptions } from './ask-person.js'
import { registerPrompts } from './prompts.js'
import { registerResources } from './resources.js'

/** What every MCP server instance of one face shares. */
export interface McpDeps {
  /** The gate; over stdio it is built on first use, so a probe that only asks `server/discover` starts nothing. */
  gate: () => Promise<Gate>
  catalog: () => Promise<Catalog>
  log: Log
  /** How a destructive call is put to the person (signing key, answer time, single use). */
  ask: AskOptions
  /** Aborted when the server shuts down: running calls stop waiting and still answer. */
  shutdown?: AbortSignal
}

/** Who one server instance serves, as the face authenticated them. */
export interface McpIdentity {
  caller: Caller
  transport: 'mcp' | 'stdio'
  /** Our origin as the client reached it, for approval links when PUBLIC_URL is not set. */
  baseUrl?: string
}

const INSTRUCTIONS = 'Tools to explore and drive a Scale Computing HyperCore cluster through its REST API. ' +
  'The usual flow: query_api (find the endpoint in plain words) → describe_endpoint or the resource hypercore://operations/{operationId} ' +
  '(payload schema and example) → run_api (the call; read with GET first) → follow the returned taskTag (wait, or GET /TaskTag/{taskTag}). ' +
  'Destructive calls are confirmed first. Errors are {code, message}: fix the call and try again. The prompt explore-cluster walks through it.'

// Tool lists per gate and role, worked out once: the schemas are the same for every request.
const toolLists = new WeakMap<Gate, Map<Role, Tool[]>>()

/** The tools a role sees, as MCP publishes them: the gate's published view, in registry order. */
export function toolList (gate: Gate, role: Role): Tool[] {
  let byRole = toolLists.get(gate)
  if (byRole === undefined) {
    byRole = new Map()
    toolLists.set(gate, byRole)
  }
  let list = byRole.get(role)
  if (list === undefined) {
    list = gate.published(role).map((tool) => ({
      name: tool.name,
      title: tool.summary,
      description: tool.description,
      // Plain JSON: TypeBox keeps its own keys as symbols, which must not reach the wire.
      inputSchema: plainJson(tool.input) as Tool['inputSchema'],
      outputSchema: plainJson(tool.output) as Tool['outputSchema'],
      annotations: { ...tool.annotations }
    }))
    byRole.set(role, list)
  }
  return list
}

/**
 * One low-level MCP server for one serving unit (a 2026-07-28 HTTP request, a 2025-11-25 session, a stdio
 * connection). Every tool call goes through the gate as the identified caller; our errors become `isError` results
 * with the `{code, message, details?}` text, so the model can correct itself. A tool name this server does not publish
 * (unknown, or left out by TOOLSETS) is the JSON-RPC error -32602 (Invalid params), as the spec says. The low-level
 * Server (not McpServer) passes our JSON Schemas through unchanged and leaves input validation to the gate.
 */
export function buildMcpServer (deps: McpDeps, who: McpIdentity): Server {
  const asker = new PersonAsker(deps.ask, who.caller)
  const server = new Server({ name: 'scale-api-helper', version }, {
    capabilities: { tools: { listChanged: false }, resources: {}, prompts: {}, completions: {} },
    instructions: INSTRUCTIONS,
    requestState: { verify: asker.codec.verify }
  })
  const log = deps.log

  server.setRequestHandler('tools/list', async () => ({ tools: toolList(await deps.gate(), who.caller.role) }))

  server.setRequestHandler('tools/call', async (req, ctx): Promise<CallToolResult | InputRequiredResult> => {
    const name = req.params.name
    const args = req.params.arguments ?? {}
    const progressToken = ctx.mcpReq._meta?.progressToken
    let lastProgress = -Infinity
    const progress = (p: Progress): void => {
      // Progress must increase from one notification to the next; a task polled at the same percent says nothing new.
      if (progressToken === undefined || p.progress <= lastProgress) return
      lastProgress = p.progress
      ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, ...p } }).catch(() => {})
    }
    const stop = linkAborts(ctx.mcpReq.signal, deps.shutdown)
    try {
      const gate = await deps.gate()
      if (gate.tool(name) === undefined) throw unknownTool(name)
      const value = await gate.call(name, args, {
        caller: who.caller,
        transport: who.transport,
        log,
        signal: stop.signal,
        progress,
        askPerson: asker.canAsk(server, ctx) ? asker.askPerson(ctx, args) : undefined,
        ...(who.baseUrl === undefined ? {} : { baseUrl: who.baseUrl })
      })
      return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value as Record<string, unknown> }
    } catch (err) {
      if (err instanceof ProtocolError) throw err
      if (err instanceof NeedsPerson) return await asker.inputRequired(ctx, args, err.question)
      if (isAppError(err)) return errorResult(err)
      log.error({ tool: name, err }, 'mcp tool call failed')
      return errorResult(new AppError('INTERNAL_ERROR', 'Internal server error; the server log has the details.'))
    } finally {
      stop.unlink()
    }
  })

  registerResources(server, deps.catalog)
  registerPrompts(server)
  return server
}

// The name is the client's: shown shortened, so a huge one cannot make a huge answer.
function unknownTool (name: string): ProtocolError {
  const shown = JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name)
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool ${shown}: tools/list names the tools this server offers.`)
}

/** A tool result for one of our errors: the same `{code, message, details?}` the HTTP face answers. */
export function errorResult (err: AppError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(errorBody(err)) }] }
}

// Linked by hand: on Node 20, AbortSignal.any() with a long-lived signal (shutdown) keeps memory for every call.
function linkAborts (...signals: Array<AbortSignal | undefined>): { signal: AbortSignal, unlink: () => void } {
  const controller = new AbortController()
  const abort = (): void => { controller.abort() }
  for (const s of signals) {
    if (s?.aborted === true) controller.abort()
    s?.addEventListener('abort', abort, { once: true })
  }
  return { signal: controller.signal, unlink: () => { for (const s of signals) s?.removeEventListener('abort', abort) } }
}

function plainJson (schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema))
}
