import { Console } from 'node:console'
import { userInfo } from 'node:os'
import { pino } from 'pino'
import { serveStdio } from '@modelcontextprotocol/server/stdio'
import { sharedAbortController } from '../lib/abort.js'
import type { Config } from '../config/config.js'
import { ConfigError } from '../errors/app-error.js'
import { AuditLog } from '../gate/audit.js'
import type { Gate } from '../gate/gate.js'
import type { Caller } from '../gate/identity.js'
import { loggerOptions } from '../observe/logger.js'
import { version } from '../lib/paths.js'
import { createRuntime, type Runtime } from '../runtime.js'
import { buildSearchIndex } from '../catalog/search.js'
import { buildGate } from './gate.js'
import { askOptions } from './mcp/ask-person.js'
import { buildMcpServer, type McpDeps } from './mcp/mcp-server.js'
import { stopOnSignals } from './signals.js'
import { warmUpLater } from '../lib/warm-up.js'

/** The local user over stdio: their login name and MCP_STDIO_ROLE. */
export function stdioCaller (config: Pick<Config, 'mcp'>): Caller {
  let name = 'local'
  try {
    name = userInfo().username || name
  } catch {}
  return { name, role: config.mcp.stdioRole }
}

/**
 * `scale-api-helper mcp`: the same tools, gate, resources and prompt over stdio, for a host that starts us as a
 * child process. stdout carries the protocol and nothing else: logs, the banner and a `SCALE_AUDIT_FILE=-` audit go
 * to stderr. The catalog and the cluster side (the embedded simulator when SCALE_HOST is unset) start with the first
 * request that needs them, so the probe process a negotiating client starts and drops costs nothing. Resolves once
 * serving; the process then stops, as the server does, when stdin ends or on a signal.
 */
export async function runMcpStdio (config: Config): Promise<void> {
  if (config.safety.confirmVia === 'approval') {
    throw new ConfigError('CONFIRM_VIA', 'approval needs the approval page of the HTTP server; over stdio use token or deny, or connect the host to `scale-api-helper start` over HTTP')
  }
  // Anything a library prints with console.log would corrupt the protocol.
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr })
  const log = pino(loggerOptions(config.logLevel), pino.destination({ dest: 2, sync: true }))
  const caller = stdioCaller(config)
  const shutdown = sharedAbortController()

  let started: Promise<{ runtime: Runtime, gate: Gate }> | undefined
  const start = async (): Promise<{ runtime: Runtime, gate: Gate }> => {
    started ??= (async () => {
      const runtime = await createRuntime(config, log)
      process.stderr.write(runtime.banner.join('\n') + '\n')
      const audit = AuditLog.open(config.safety.auditFile, log, (line) => process.stderr.write(line))
      // Built after the start: the first answer need not wait ~80 ms for it (a query_api before then builds it itself).
      warmUpLater(() => { buildSearchIndex(runtime.catalog) })
      return { runtime, gate: buildGate(config, { ...runtime, audit }, log) }
    })()
    return await started
  }
  const gate = async (): Promise<Gate> => (await start()).gate
  const deps: McpDeps = {
    gate,
    catalog: async () => (await start()).runtime.catalog,
    log,
    ask: askOptions(config.safety, gate),
    shutdown: shutdown.signal
  }

  process.stderr.write(`scale-api-helper ${version}: serving MCP on stdio as "${caller.name}" (role ${caller.role}, SCALE_MODE=${config.safety.mode}).\n`)
  const handle = serveStdio(() => buildMcpServer(deps, { caller, transport: 'stdio' }), {
    onerror: (err) => { log.warn({ err: err.message }, 'mcp stdio error') }
  })

  const { stop } = stopOnSignals(log, async function close () {
    shutdown.abort()
    await handle.close()
    const running = await started?.catch(() => undefined)
    if (running !== undefined) {
      await running.gate.close()
      await running.runtime.close()
    }
    log.flush()
  })
  process.stdin.once('end', () => { stop('stdin ended') })
  process.stdin.once('close', () => { stop('stdin closed') })
}
