#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { loadConfig } from './config/config.js'
import { ConfigError } from './errors/app-error.js'
import { version } from './lib/paths.js'

const HELP = `scale-api-helper ${version}

Usage:
  scale-api-helper [start]     start the tool server (embedded simulator unless SCALE_HOST is set)
  scale-api-helper mcp         serve the same tools over MCP on stdin/stdout, for local hosts (Claude Desktop, ...)
  scale-api-helper simulate    run a simulated HyperCore cluster on its own (see simulate --help)
  scale-api-helper ask "<q>"   answer a question about the API with a language model (see ask --help)
  scale-api-helper --version
  scale-api-helper --help

Configuration is read from the environment; see docs/configuration.md for every variable.
`

/** Entry point of the `scale-api-helper` command. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<number> {
  if (argv[0] === 'simulate') {
    const { runSimulate } = await import('./simulator/cli.js')
    return await runSimulate(argv.slice(1))
  }
  if (argv[0] === 'ask') {
    const { runAsk } = await import('./llm/cli.js')
    return await runAsk(argv.slice(1))
  }
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } }
  })
  if (values.help === true) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.version === true) {
    process.stdout.write(version + '\n')
    return 0
  }
  const command = positionals[0] ?? 'start'
  try {
    if (command === 'start') {
      // Imported here, not above: the stdio face must not load Fastify and its plugins.
      const { runServer } = await import('./server.js')
      // npm sets npm_lifecycle_event for the scripts it runs; under `npm start` the server stops with npm.
      await runServer(loadConfig(process.env), { stopWithParent: process.env.npm_lifecycle_event !== undefined })
      return -1
    }
    if (command === 'mcp') {
      const { runMcpStdio } = await import('./faces/mcp-stdio.js')
      await runMcpStdio(loadConfig(process.env))
      return -1
    }
    process.stderr.write(`Unknown command "${command}".\n\n${HELP}`)
    return 2
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`)
      return 1
    }
    process.stderr.write(`Failed to start: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}

const code = await main()
// -1: a server (HTTP or stdio) is running and owns the process's lifetime.
if (code >= 0) process.exitCode = code
